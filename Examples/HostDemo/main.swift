// A tiny host: starts the vendor sandbox, registers its own command, runs a script
// against the sandbox and prints the result as Swift values.
//   swift run host-demo
import Foundation
import Switchboard

struct Agent: Decodable { let name: String; let status: String }

var config = ShellConfiguration()
config.capabilities = [.readOnly]                       // this host only reads
let (shell, sandbox) = try Shell.sandboxed(config)

// A host command: the on-call rota, as a stream of records.
shell.register(Command(Signature("oncall", output: "list<record>"), description: "Who is on call this week.") { _ in
    .list([.record(["name": "Hugo Patel", "shift": "mon-wed"]), .record(["name": "Ines Smith", "shift": "thu-sun"])])
})

let agents = try shell.evaluate("""
    let rota = oncall | get name
    agents | where name in $rota | select name status
    """, as: [Agent].self)
for a in agents { print("\(a.name) is \(a.status)") }
_ = sandbox
