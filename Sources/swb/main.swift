import Foundation
import SwitchboardCore

let status = CLI.main(Array(CommandLine.arguments.dropFirst()))
FileHandleOutput.stdout.flush()
exit(status)
