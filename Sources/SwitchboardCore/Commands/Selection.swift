extension Builtins {
    static func selection() -> [Command] {
        []
    }
}
