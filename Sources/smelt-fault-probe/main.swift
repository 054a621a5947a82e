import Base
import Checkpoint
#if canImport(Glibc)
import Glibc
#endif

// Test support for the SIGBUS handler (DESIGN.md, principle 2): maps the
// file given, truncates it to zero bytes as another process might, then
// reads the mapping. The handler must print one line naming the file and
// exit 74; reaching the end of this program means it did not.
installMappedFileFaultHandler(exitCode: 74)
let arguments = CommandLine.arguments
guard arguments.count == 2 else {
    writeToStandardError("usage: smelt-fault-probe FILE (truncates FILE)")
    exit(64)
}
do {
    let file = try SafeTensorsFile(path: arguments[1])
    try OpenFile.forUpdating(arguments[1]).truncate(to: 0)
    let sum = file.mapping.withBytes(in: 0..<file.size) { bytes in bytes.reduce(UInt64(0)) { $0 &+ UInt64($1) } }
    writeToStandardError("read \(sum) without a fault")
    exit(0)
} catch {
    writeToStandardError("error: \(error)")
    exit(1)
}
