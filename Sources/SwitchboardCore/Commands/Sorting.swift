extension Builtins {
    static func sorting() -> [Command] {
        []
    }
}
