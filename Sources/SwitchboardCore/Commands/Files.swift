extension Builtins {
    static func files() -> [Command] {
        []
    }
}
