/// A value kept in one shared box and copied only when a shared copy is changed.
///
/// For structs with many reference-counted fields that a build copies into many tables and
/// across threads: a copy of the wrapper costs one reference count instead of one per field.
struct CopyOnWrite<Value>: @unchecked Sendable {
    private final class Box {
        var value: Value
        init(_ value: Value) { self.value = value }
    }

    private var box: Box

    init(_ value: Value) {
        box = Box(value)
    }

    var value: Value {
        get { box.value }
        _modify {
            if !isKnownUniquelyReferenced(&box) { box = Box(box.value) }
            yield &box.value
        }
    }

    /// Whether both hold the very same box (then their values are equal).
    func shares(with other: CopyOnWrite<Value>) -> Bool {
        box === other.box
    }
}

extension CopyOnWrite: Equatable where Value: Equatable {
    static func == (lhs: CopyOnWrite, rhs: CopyOnWrite) -> Bool {
        lhs.shares(with: rhs) || lhs.value == rhs.value
    }
}
