extension Builtins {
    static func helpers() -> [Command] {
        []
    }
}
