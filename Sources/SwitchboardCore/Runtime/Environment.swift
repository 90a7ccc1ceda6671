/// A scope of variables (and `fn`s). Small scopes (closure calls, loop bodies) use a linear
/// scan over inline arrays, which beats hashing for the one to three names they hold.
public final class Environment {
    @exclusivity(unchecked) var names: [String] = []
    @exclusivity(unchecked) var values: [Value] = []
    let parent: Environment?
    /// `fn`s declared in this scope.
    var commands: [String: Command] = [:]

    init(parent: Environment?) {
        self.parent = parent
    }

    init(parent: Environment?, names: [String], values: [Value]) {
        self.parent = parent
        self.names = names
        self.values = values
    }

    init(parent: Environment?, name: String, value: Value) {
        self.parent = parent
        names = [name]
        values = [value]
    }

    @inline(__always)
    func lookup(_ name: String) -> Value? {
        // `unowned(unsafe)`: the chain is kept alive by `self`; no retain per level.
        unowned(unsafe) var env = self
        while true {
            var k = env.names.count - 1
            while k >= 0 {
                if env.names[k] == name { return env.values[k] }
                k -= 1
            }
            guard let p = env.parent else { return nil }
            env = p
        }
    }

    /// Declares (or shadows) a variable in this scope.
    func declare(_ name: String, _ value: Value) {
        for k in 0..<names.count where names[k] == name {
            values[k] = value
            return
        }
        names.append(name)
        values.append(value)
    }

    /// Reassigns the nearest existing variable; false if there is none.
    func assign(_ name: String, _ value: Value) -> Bool {
        var e: Environment? = self
        while let env = e {
            for k in 0..<env.names.count where env.names[k] == name {
                env.values[k] = .null    // drop the old reference first, so a list being rebuilt is not copied
                env.values[k] = value
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
            out.append(contentsOf: env.names)
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
