import Base
import Foundation
import Testing

/// What `smelt` prints for a person shows names and paths from files and
/// users escaped (TerminalText): one line per record and nothing a terminal
/// would act on, while `--json` keeps the exact text.
@Suite struct TerminalEscapingTests {
    struct HostileName: CustomTestStringConvertible, Sendable {
        let rule: String
        /// The tensor's name, as the header's JSON spells it once decoded.
        let name: String
        /// How the text output shows it.
        let shown: String
        var testDescription: String { rule }
    }

    static let names: [HostileName] = [
        HostileName(
            rule: "a line feed cannot forge an error line", name: "a\nerror: fake line\u{1B}[31mred",
            shown: "a\\nerror: fake line\\u001b[31mred"),
        HostileName(rule: "NUL (\\u0000 in the header) is \\u0000", name: "w\u{0}x", shown: "w\\u0000x"),
        HostileName(rule: "a carriage return cannot overwrite the line", name: "w\rforged", shown: "w\\rforged"),
        HostileName(rule: "a tab cannot shift the columns", name: "w\tx", shown: "w\\tx"),
        HostileName(rule: "ESC cannot set the title", name: "\u{1B}]0;owned\u{7}w", shown: "\\u001b]0;owned\\u0007w"),
        HostileName(rule: "DEL is \\u007f", name: "w\u{7F}", shown: "w\\u007f"),
        HostileName(rule: "the C1 CSI is \\u009b", name: "w\u{9B}2J", shown: "w\\u009b2J"),
        HostileName(rule: "a bidi override cannot reorder the name", name: "w\u{202E}gpj", shown: "w\\u202egpj"),
        HostileName(rule: "a backslash stays single", name: "dir\\w\n", shown: "dir\\w\\n"),
        HostileName(rule: "non-ASCII letters stay readable", name: "é.日本\u{1B}", shown: "é.日本\\u001b"),
    ]

    /// A safetensors file holding one F32 tensor of shape [3] called `name`
    /// (written with JSON escapes, as any tool would) over `dataBytes` bytes:
    /// 12 make it valid, 8 a malformed entry naming the tensor.
    static func writeFile(tensor name: String, dataBytes: Int, to path: String) throws {
        let json = "{\(JSONOutput.quoted(name)):{\"dtype\":\"F32\",\"shape\":[3],\"data_offsets\":[0,\(dataBytes)]}}"
        var bytes = Data((0..<8).map { UInt8(truncatingIfNeeded: json.utf8.count >> (8 * $0)) })
        bytes.append(Data(json.utf8))
        bytes.append(Data(count: dataBytes))
        try bytes.write(to: URL(fileURLWithPath: path))
    }

    /// Every scalar a terminal would act on, but the line ends.
    static func controls(in text: String) -> [UInt32] {
        text.unicodeScalars.filter { scalar in
            scalar != "\n" && (scalar.properties.generalCategory == .control || scalar.properties.isBidiControl)
        }.map(\.value)
    }

    static func lines(_ text: String) -> [Substring] {
        text.split(separator: "\n", omittingEmptySubsequences: false)
    }

    @Test(arguments: names)
    func inspectAndHashShowTheNameEscapedOnOneLineAndExactInJSON(_ hostile: HostileName) throws {
        let folder = try CommandRunner.temporaryFolder()
        defer { try? FileManager.default.removeItem(atPath: folder) }
        let path = folder + "/model.safetensors"
        try Self.writeFile(tensor: hostile.name, dataBytes: 12, to: path)

        let inspect = try CommandRunner.run(["inspect", path])
        #expect(inspect.status == 0)
        #expect(Self.controls(in: inspect.standardOutput).isEmpty)
        let table = Self.lines(inspect.standardOutput)
        // Summary, dtypes, the file, a blank line, the heading, the tensor.
        #expect(table.count == 7 && table.last == "")
        #expect(table.dropLast().last?.hasPrefix(Formatting.padded(hostile.shown, 6) + "  F32") == true)

        let hash = try CommandRunner.run(["hash", path])
        #expect(hash.status == 0)
        #expect(Self.controls(in: hash.standardOutput).isEmpty)
        let digests = Self.lines(hash.standardOutput)
        #expect(digests.count == 3 && digests.last == "")
        #expect(digests.count > 1 && digests[1].dropFirst(18) == hostile.shown[...])

        for command in ["inspect", "hash"] {
            let result = try CommandRunner.run([command, path, "--json"])
            #expect(result.status == 0)
            // JSON allows DEL, C1 and bidi controls raw, but nothing below U+0020.
            #expect(!result.standardOutput.unicodeScalars.contains { $0.value < 0x20 && $0 != "\n" })
            let json = try CommandRunner.json(result.standardOutput)
            let tensors =
                command == "inspect"
                ? json["tensors"] as? [[String: Any]]
                : (json["files"] as? [[String: Any]])?.first?["tensors"] as? [[String: Any]]
            #expect(tensors?.count == 1 && tensors?.first?["name"] as? String == hostile.name, "\(command)")
        }
    }

    @Test(arguments: names)
    func errorsNameTheTensorOnOneEscapedLine(_ hostile: HostileName) throws {
        let folder = try CommandRunner.temporaryFolder()
        defer { try? FileManager.default.removeItem(atPath: folder) }
        let path = folder + "/bad.safetensors"
        try Self.writeFile(tensor: hostile.name, dataBytes: 8, to: path)
        let problem = "\(path): tensor \"\(hostile.shown)\": dtype and shape need 12 bytes but data_offsets span 8"
        for command in ["inspect", "hash"] {
            let result = try CommandRunner.run([command, path])
            #expect(result.status == 65)
            #expect(result.standardError == "error: \(problem)\n", "\(command)")
        }
        let verify = try CommandRunner.run(["verify", path])
        #expect(verify.status == 1)
        #expect(Self.controls(in: verify.standardOutput).isEmpty)
        let report = Self.lines(verify.standardOutput)
        #expect(report.count == 3 && report.first == "problem: \(problem)"[...])
    }

    @Test func fileNamesAndPathsAreEscaped() throws {
        let folder = try CommandRunner.temporaryFolder()
        defer { try? FileManager.default.removeItem(atPath: folder) }
        let model = folder + "/model\n\u{1B}[2J"
        try FileManager.default.createDirectory(atPath: model, withIntermediateDirectories: false)
        try Self.writeFile(tensor: "w", dataBytes: 12, to: model + "/weights\r\u{9B}.safetensors")
        let shownModel = folder + "/model\\n\\u001b[2J"

        let inspect = try CommandRunner.run(["inspect", model])
        #expect(inspect.status == 0 && Self.controls(in: inspect.standardOutput).isEmpty)
        #expect(inspect.standardOutput.hasPrefix("\(shownModel): 1 file, 1 tensors"))
        #expect(inspect.standardOutput.contains("\n  weights\\r\\u009b.safetensors: "))

        let hash = try CommandRunner.run(["hash", model])
        #expect(hash.status == 0 && Self.controls(in: hash.standardOutput).isEmpty)
        #expect(Self.lines(hash.standardOutput).first?.hasSuffix("  weights\\r\\u009b.safetensors (header)") == true)

        let verify = try CommandRunner.run(["verify", model])
        #expect(verify.status == 0 && Self.controls(in: verify.standardOutput).isEmpty)
        #expect(verify.standardOutput.hasPrefix("\(shownModel): ok: "))

        let missing = try CommandRunner.run(["inspect", model + "/gone\n\u{1B}[31m"])
        #expect(missing.status == 66)
        #expect(missing.standardError == "error: \(shownModel)/gone\\n\\u001b[31m: no such file or folder\n")

        let unknown = try CommandRunner.run(["\u{1B}[31minspect"])
        #expect(
            unknown.status == 64 && unknown.standardError.hasPrefix("error: unknown command '\\u001b[31minspect'\n"))
    }
}
