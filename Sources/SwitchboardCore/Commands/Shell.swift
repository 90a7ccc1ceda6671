extension Builtins {
    static func shell() -> [Command] {
        []
    }
}
