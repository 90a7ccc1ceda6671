extension ActionCommands {
    /// The question asked before a bulk action, in words:
    /// `assign group 10204 to 37 agents on chatrhub?`, `close 12 conversations on dixa?`.
    static func confirmationQuestion(_ action: VendorAction, _ items: [Item]) -> String {
        let kinds = Set(items.map(\.kind))
        let objects = "\(items.count) " + (kinds.count == 1 ? plural(kinds.first!, items.count) : "objects")
        let vendors = orderedVendors(items)
        let on = "on " + (vendors.count == 1 ? vendors[0] : vendors.dropLast().joined(separator: ", ") + " and " + vendors.last!)
        let phrase: String
        switch action {
        case .assignGroup, .assignQueue, .assignAgent: phrase = "\(action.label) to \(objects)"
        case .unassignGroup: phrase = "\(action.label) from \(objects)"
        case .transferQueue(let q): phrase = "transfer \(objects) to queue \(q)"
        case .transferAgent(let a): phrase = "transfer \(objects) to agent \(a)"
        case .tag(let t): phrase = "tag \(objects) with \(t)"
        case .untag(let t): phrase = "untag \(t) from \(objects)"
        case .note: phrase = "add a note to \(objects)"
        case .set: phrase = "\(action.label) for \(objects)"
        case .create, .importCSV: phrase = action.label
        case .delete, .close, .reopen, .anonymize, .resolve, .unresolve: phrase = "\(action.label) \(objects)"
        }
        return "\(phrase) \(on)?"
    }

    private static func plural(_ kind: String, _ n: Int) -> String { n == 1 ? kind : kind + "s" }
}
