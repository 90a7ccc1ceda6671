extension Builtins {
    static func joins() -> [Command] {
        []
    }
}
