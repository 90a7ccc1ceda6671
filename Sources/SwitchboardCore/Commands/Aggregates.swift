extension Builtins {
    static func aggregates() -> [Command] {
        []
    }
}
