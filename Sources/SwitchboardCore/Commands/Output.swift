extension Builtins {
    static func output() -> [Command] {
        []
    }
}
