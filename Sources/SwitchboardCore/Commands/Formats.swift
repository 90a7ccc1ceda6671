extension Builtins {
    static func formats() -> [Command] {
        []
    }
}
