import Foundation

/// Runs `body` as a detached task and blocks the calling thread until it returns its value: for
/// the command line's commands, which are synchronous and end the process when they return.
func waitFor<Value: Sendable>(_ body: @escaping @Sendable () async -> Value) -> Value {
    let finished = DispatchSemaphore(value: 0)
    let result = ResultBox<Value>()
    Task.detached {
        result.value = await body()
        finished.signal()
    }
    finished.wait()
    // Set before the signal, read after the wait: the semaphore orders the two.
    guard let value = result.value else { preconditionFailure("the task ended without a value") }
    return value
}

/// The value of a task, handed from its thread to the waiting one.
private final class ResultBox<Value>: @unchecked Sendable {
    var value: Value?
}
