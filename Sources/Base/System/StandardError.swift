#if canImport(Glibc)
import Glibc
#endif

/// Writes `text` and `terminator` to file descriptor 2: the one way Smelt
/// talks on standard error (Swift 6 rejects the global `stderr` in files
/// that import Foundation).
public func writeToStandardError(_ text: String, terminator: String = "\n") {
    writeWhole(text + terminator, to: 2)
}

/// Writes `text` to standard output, unbuffered and whole.
public func writeToStandardOutput(_ text: String) {
    writeWhole(text, to: 1)
}

/// Writes `bytes` to standard output, unbuffered and whole.
public func writeToStandardOutput(bytes: [UInt8]) {
    bytes.withUnsafeBytes { writeWhole($0, to: 1) }
}

/// Whether file descriptor `descriptor` is a terminal (progress bars only there).
public func isTerminal(_ descriptor: Int32) -> Bool { isatty(descriptor) == 1 }

private func writeWhole(_ text: String, to descriptor: Int32) {
    var text = text
    text.withUTF8 { writeWhole(UnsafeRawBufferPointer($0), to: descriptor) }
}

private func writeWhole(_ bytes: UnsafeRawBufferPointer, to descriptor: Int32) {
    var remaining = bytes
    while !remaining.isEmpty {
        let written = write(descriptor, remaining.baseAddress, remaining.count)
        if written < 0 && errno == EINTR { continue }
        if written <= 0 { return }
        remaining = UnsafeRawBufferPointer(rebasing: remaining[written...])
    }
}
