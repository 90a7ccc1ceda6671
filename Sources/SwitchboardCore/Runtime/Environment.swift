/// A scope of variables (and `fn`s). Small scopes (closure calls, loop bodies) use a linear
/// scan, which beats hashing for the one to three names they hold.
///
/// Values live in a pointer-backed slot buffer and names in a layout array that every call of
/// one closure or `fn` shares, so a lookup reads memory without retaining arrays on the way
/// (shared/swift-notes.md §4: frames as `var` arrays on a class cost retains and exclusivity checks).
public final class Environment {
    /// Slot names; `names[k]` names `slots[k]` for `k < count`.
    @exclusivity(unchecked) private(set) var names: [String]
    /// `names`' element storage, kept in step with `names` (which is never mutated in place
    /// while this pointer is in use: every change goes through `setNames`).
    @exclusivity(unchecked) private var nameBase: UnsafePointer<String>?
    @exclusivity(unchecked) private var slots: UnsafeMutablePointer<Value>
    @exclusivity(unchecked) private var capacity: Int
    /// Bound slots.
    @exclusivity(unchecked) private(set) var count = 0
    /// `names.count`, without touching the array.
    @exclusivity(unchecked) private(set) var nameCount = 0
    let parent: Environment?
    /// `fn`s declared in this scope.
    @exclusivity(unchecked) var commands: [String: Command] = [:] {
        didSet { hasCommands = !commands.isEmpty }
    }
    /// `!commands.isEmpty`, without touching the dictionary (checked on every call).
    @exclusivity(unchecked) private(set) var hasCommands = false
    /// The next scope in a `fn`'s list of spare call scopes (see `Interpreter.recycle`).
    @exclusivity(unchecked) var nextSpare: Environment?

    init(parent: Environment?) {
        self.parent = parent
        names = []
        capacity = 2
        slots = .allocate(capacity: 2)
    }

    /// A scope whose slots will be named by `layout` (bind them in order with `push`).
    init(parent: Environment?, layout: [String]) {
        self.parent = parent
        names = layout
        nameCount = layout.count
        capacity = Swift.max(layout.count, 1)
        slots = .allocate(capacity: capacity)
        nameBase = names.withUnsafeBufferPointer { $0.baseAddress }
    }

    /// As `init(parent:layout:)`, with `layout`'s storage address worked out in advance.
    @inline(__always)
    init(parent: Environment?, layout: [String], base: UnsafePointer<String>?) {
        self.parent = parent
        names = layout
        nameCount = layout.count
        capacity = Swift.max(layout.count, 1)
        slots = .allocate(capacity: capacity)
        nameBase = base
    }

    convenience init(parent: Environment?, names: [String], values: [Value]) {
        self.init(parent: parent, layout: names)
        for v in values { push(v) }
    }

    convenience init(parent: Environment?, name: String, value: Value) {
        self.init(parent: parent, layout: [name])
        push(value)
    }

    deinit {
        slots.deinitialize(count: count)
        slots.deallocate()
    }

    private func setNames(_ n: [String]) {
        names = n
        nameCount = names.count
        nameBase = names.withUnsafeBufferPointer { $0.baseAddress }
    }

    /// Binds the next slot of the layout.
    @inline(__always)
    func push(_ value: Value) {
        if count == capacity { grow() }
        (slots + count).initialize(to: value)
        count += 1
    }

    private func grow() {
        let bigger = UnsafeMutablePointer<Value>.allocate(capacity: capacity * 2)
        bigger.moveInitialize(from: slots, count: count)
        slots.deallocate()
        slots = bigger
        capacity *= 2
    }

    /// Binds one more slot named `name` (no check for an existing one: the newest wins).
    func bind(_ name: String, _ value: Value) {
        // In place (amortized O(1) for a growing global scope); a layout shared with a
        // declaration is copied on write, so the declaration keeps its own.
        if count < names.count { names.removeSubrange(count...) }
        names.append(name)
        nameCount = names.count
        nameBase = names.withUnsafeBufferPointer { $0.baseAddress }
        push(value)
    }

    /// Sets slot `k` (which must be bound).
    @inline(__always)
    func set(_ k: Int, _ value: Value) {
        slots[k] = value
    }

    /// Unbinds every slot, keeping the names and the buffer (a recycled call scope).
    func unbindAll() {
        // One value at a time: `deinitialize(count:)` goes through the runtime's generic array destroy.
        for k in 0..<count { _ = (slots + k).move() }
        count = 0
    }

    /// Unbinds every slot and renames the scope by `layout`, keeping the buffer (reused row scopes).
    func reset(layout: [String]) {
        slots.deinitialize(count: count)
        count = 0
        if layout.count > capacity {
            slots.deallocate()
            capacity = layout.count
            slots = .allocate(capacity: capacity)
        }
        setNames(layout)
        if !commands.isEmpty { commands = [:] }
    }

    /// The value of the nearest variable `name`.
    @inline(__always)
    func lookup(_ name: String) -> Value? {
        let key = NameKey(name)
        if key.isSmallASCII {
            // `unowned(unsafe)`: the chain is kept alive by `self`; the scan reads raw memory
            // and makes no calls, so nothing is retained on the way.
            unowned(unsafe) var env = self
            while true {
                let k = key.scan(env.nameBase, env.count)
                if k >= 0 { return env.slots[k] }
                if k == NameKey.unsure { break }
                guard let p = env.parent else { return nil }
                env = p
            }
        }
        return slowLookup(name)
    }

    /// Slot `k` of this scope when it is bound and named `key` (a small ASCII name), else nil:
    /// compiled code reads a name it found in the layout at compile time, checking that the
    /// scope still has that layout.
    @inline(__always)
    func slot(_ k: Int, named key: NameKey) -> Value? {
        guard k < count, let base = nameBase else { return nil }
        let raw = UnsafeRawPointer(base)
        guard raw.load(fromByteOffset: k * 16 + 8, as: UInt64.self) == key.hi,
              raw.load(fromByteOffset: k * 16, as: UInt64.self) == key.lo else { return nil }
        return slots[k]
    }

    /// As `slot(_:named:)`, without copying the value out: the row a condition reads a field of.
    @inline(__always)
    func slotAddress(_ k: Int, named key: NameKey) -> UnsafeMutablePointer<Value>? {
        guard k < count, let base = nameBase else { return nil }
        let raw = UnsafeRawPointer(base)
        guard raw.load(fromByteOffset: k * 16 + 8, as: UInt64.self) == key.hi,
              raw.load(fromByteOffset: k * 16, as: UInt64.self) == key.lo else { return nil }
        return slots + k
    }

    /// Whether `root` is this chain's root and no scope below it declares `fn`s.
    @inline(__always)
    func reachesWithoutLocalCommands(_ root: Environment) -> Bool {
        unowned(unsafe) var env = self
        while true {
            guard let p = env.parent else { return env === root }
            if env.hasCommands { return false }
            env = p
        }
    }

    /// Where the nearest variable `name` is stored (valid until a scope on the way changes).
    @inline(__always)
    func lookupAddress(_ name: String) -> UnsafeMutablePointer<Value>? {
        let key = NameKey(name)
        if key.isSmallASCII {
            unowned(unsafe) var env = self
            while true {
                let k = key.scan(env.nameBase, env.count)
                if k >= 0 { return env.slots + k }
                if k == NameKey.unsure { break }
                guard let p = env.parent else { return nil }
                env = p
            }
        }
        var e: Environment? = self
        while let env = e {
            if let k = env.names[0..<env.count].lastIndex(of: name) { return env.slots + k }
            e = env.parent
        }
        return nil
    }

    @inline(never)
    private func slowLookup(_ name: String) -> Value? {
        var e: Environment? = self
        while let env = e {
            if let k = env.names[0..<env.count].lastIndex(of: name) { return env.slots[k] }
            e = env.parent
        }
        return nil
    }

    /// Declares (or shadows) a variable in this scope.
    func declare(_ name: String, _ value: Value) {
        if let k = names[0..<count].firstIndex(of: name) {
            slots[k] = value
            return
        }
        bind(name, value)
    }

    /// Reassigns the nearest existing variable; false if there is none.
    func assign(_ name: String, _ value: Value) -> Bool {
        var e: Environment? = self
        while let env = e {
            if let k = env.names[0..<env.count].firstIndex(of: name) {
                env.slots[k] = .null    // drop the old reference first, so a list being rebuilt is not copied
                env.slots[k] = value
                return true
            }
            e = env.parent
        }
        return false
    }

    func command(_ name: String) -> Command? {
        var e: Environment? = self
        while let env = e {
            if !env.commands.isEmpty, let c = env.commands[name] { return c }
            e = env.parent
        }
        return nil
    }

    /// Every variable name visible here (for suggestions and completion).
    var visibleNames: [String] {
        var out: [String] = []
        var e: Environment? = self
        while let env = e {
            out.append(contentsOf: env.names[0..<env.count])
            e = env.parent
        }
        return out
    }

    var visibleCommands: [String] {
        var out: [String] = []
        var e: Environment? = self
        while let env = e {
            out.append(contentsOf: env.commands.keys)
            e = env.parent
        }
        return out
    }
}

/// A closure value: its declaration and the scope it was created in.
public final class Closure {
    public let decl: ClosureDecl
    let env: Environment
    /// The scope of the last one-argument call, reused by the next when nothing else holds it.
    @exclusivity(unchecked) var rowScope: Environment?

    init(decl: ClosureDecl, env: Environment) {
        self.decl = decl
        self.env = env
    }

    public var span: SourceSpan { decl.span }
}

/// Compares variable names without calling into the String runtime in the common case.
/// Names are short ASCII identifiers, which Swift stores inline ("small strings", 16 bytes
/// with a discriminator nibble of 0b1110 in the top of the second word): two such strings
/// are equal exactly when their bits are. Anything else falls back to `==`.
struct NameKey {
    let lo: UInt64
    let hi: UInt64

    @inline(__always)
    init(_ name: String) {
        if MemoryLayout<String>.size == 16 {
            (lo, hi) = unsafeBitCast(name, to: (UInt64, UInt64).self)
        } else {
            (lo, hi) = (0, 0)
        }
    }

    @inline(__always)
    var isSmallASCII: Bool { MemoryLayout<String>.size == 16 && hi >> 60 == 0xE }

    static let unsure = -2

    /// The last index of this (small ASCII) name in `names`; -1 when it is not there, or
    /// `unsure` when a name that is not small ASCII needs a full comparison.
    /// The first index of this (small ASCII) name in `names[0..<count]`; -1 or `unsure` as `scan`.
    @inline(__always)
    func scanForward(_ names: UnsafePointer<String>?, _ count: Int) -> Int {
        guard let names else { return -1 }
        let raw = UnsafeRawPointer(names)
        var k = 0
        while k < count {
            let h = raw.load(fromByteOffset: k * 16 + 8, as: UInt64.self)
            if h == hi {
                if raw.load(fromByteOffset: k * 16, as: UInt64.self) == lo { return k }
            } else if h >> 60 != 0xE {
                return NameKey.unsure
            }
            k += 1
        }
        return -1
    }

    @inline(__always)
    func scan(_ names: UnsafePointer<String>?, _ count: Int) -> Int {
        guard let names else { return -1 }
        let raw = UnsafeRawPointer(names)
        var k = count - 1
        while k >= 0 {
            let h = raw.load(fromByteOffset: k * 16 + 8, as: UInt64.self)
            if h == hi {
                if raw.load(fromByteOffset: k * 16, as: UInt64.self) == lo { return k }
            } else if h >> 60 != 0xE {
                return NameKey.unsure
            }
            k -= 1
        }
        return -1
    }
}
