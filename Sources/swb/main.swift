import Foundation
import Switchboard

let status = CLI.main(Array(CommandLine.arguments.dropFirst()))
FileHandleOutput.stdout.flush()
exit(status)
