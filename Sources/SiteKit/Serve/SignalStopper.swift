import Foundation

#if canImport(Glibc)
    import Glibc
#endif

extension PreviewServer {
    /// Runs the server until it stops or the process gets SIGINT or SIGTERM (Ctrl-C), blocking the
    /// calling thread; the first signal stops it cleanly, a second ends the process at once
    /// (status 130). `stopping` is called when the first signal arrives. Throws what ``run()`` threw.
    public nonisolated func runUntilInterrupted(stopping: @escaping @Sendable () -> Void = {}) throws {
        let stopper = SignalStopper()
        stopper.install {
            stopping()
            Task { await self.stop() }
        }
        defer { stopper.remove() }
        let outcome = waitFor { () async -> Result<Void, any Error> in
            do {
                try await self.run()
                return .success(())
            } catch {
                return .failure(error)
            }
        }
        try outcome.get()
    }
}

/// Turns SIGINT and SIGTERM into a clean stop; a second signal exits at once.
final class SignalStopper: @unchecked Sendable {
    private let lock = NSLock()
    private var sources: [any DispatchSourceSignal] = []
    private var received = 0

    func install(_ stop: @escaping @Sendable () -> Void) {
        for number in [SIGINT, SIGTERM] {
            signal(number, SIG_IGN)
            let source = DispatchSource.makeSignalSource(signal: number, queue: .global())
            source.setEventHandler { [self] in
                lock.lock()
                received += 1
                let count = received
                lock.unlock()
                if count == 1 {
                    stop()
                } else {
                    Foundation.exit(130)
                }
            }
            source.resume()
            sources.append(source)
        }
    }

    func remove() {
        for source in sources { source.cancel() }
        signal(SIGINT, SIG_DFL)
        signal(SIGTERM, SIG_DFL)
    }
}
