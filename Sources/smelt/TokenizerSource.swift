import Base
import Checkpoint
import Synchronization
import Tokenize

/// Where `smelt tokenize` (and later commands that read data) find a
/// tokenizer: a folder with tokenizer.json (and optionally
/// tokenizer_config.json and chat_template.jinja), a tokenizer.json file
/// (its neighbours are read too), or a .gguf file, whose tokenizer is built
/// in memory exactly as `smelt convert` writes it.
enum TokenizerSource {
    static let tokenizerFile = "tokenizer.json"
    static let configFile = "tokenizer_config.json"
    static let templateFile = "chat_template.jinja"

    /// The record encoder for `path`, with `templatePath` overriding the
    /// model's chat template.
    static func encoder(for path: String, chatTemplatePath: String?) throws -> RecordEncoder {
        guard let status = try FileSystem.status(path) else {
            throw MissingTokenizerError(path: path, problem: "does not exist")
        }
        var files: [String: (name: String, bytes: [UInt8])] = [:]
        if status.isDirectory || !GGUFFile.hasMagic(path: path) {
            let folder = status.isDirectory ? path : parentFolder(of: path)
            let tokenizerPath = status.isDirectory ? folder + "/" + tokenizerFile : path
            guard try FileSystem.status(tokenizerPath)?.isRegularFile == true else {
                throw MissingTokenizerError(path: path, problem: "has no \(tokenizerFile)")
            }
            files[tokenizerFile] = (
                tokenizerPath, try FileSystem.readSmallFile(tokenizerPath, limit: UInt64(Tokenizer.maximumFileBytes))
            )
            for name in [configFile, templateFile]
            where try FileSystem.status(folder + "/" + name)?.isRegularFile == true {
                files[name] = (folder + "/" + name, try FileSystem.readSmallFile(folder + "/" + name, limit: 16 << 20))
            }
        } else {
            for file in try ggufTokenizerFiles(path) {
                files[file.name] = ("\(path) (\(file.name))", file.bytes)
            }
            guard files[tokenizerFile] != nil else {
                throw MissingTokenizerError(path: path, problem: "has no tokenizer metadata (tokenizer.ggml.model)")
            }
        }
        let tokenizerEntry = files[tokenizerFile]!  // checked: both branches set it or threw
        let tokenizer = try Tokenizer(json: tokenizerEntry.bytes, file: tokenizerEntry.name)
        var config = TokenizerConfig()
        if let entry = files[configFile] { config = try TokenizerConfig(json: entry.bytes, file: entry.name) }
        var template: (source: String, origin: String)?
        if let source = config.chatTemplate, let entry = files[configFile] { template = (source, entry.name) }
        if let entry = files[templateFile] { template = (String(decoding: entry.bytes, as: UTF8.self), entry.name) }
        if let chatTemplatePath {
            let bytes = try FileSystem.readSmallFile(chatTemplatePath, limit: 16 << 20)
            template = (String(decoding: bytes, as: UTF8.self), chatTemplatePath)
        }
        let chatTemplate = try template.map { (template) throws(ChatTemplateError) in
            try ChatTemplate(source: template.source, origin: template.origin)
        }
        return RecordEncoder(tokenizer: tokenizer, config: config, chatTemplate: chatTemplate, origin: path)
    }

    /// The tokenizer files a .gguf file's metadata makes, built once per
    /// path and process (a model's identity and its encoder both need them,
    /// and Gemma 3's take a second to build).
    static func ggufTokenizerFiles(_ path: String) throws -> [(name: String, bytes: [UInt8])] {
        if let known = builtFiles.withLock({ $0[path] }) { return known }
        let gguf = try GGUFFile(path: path)
        let files = try GGUFConversion.tokenizerFiles(namingFile: path)(gguf.header.metadata).map {
            (name: $0.name, bytes: $0.bytes)
        }
        builtFiles.withLock { $0[path] = files }
        return files
    }

    private static let builtFiles = Mutex<[String: [(name: String, bytes: [UInt8])]]>([:])

    private static func parentFolder(of path: String) -> String {
        guard let slash = path.lastIndex(of: "/") else { return "." }
        return slash == path.startIndex ? "/" : String(path[..<slash])
    }
}

/// MODEL names nothing that holds a tokenizer.
struct MissingTokenizerError: SmeltError {
    let path: String
    let problem: String
    var exitCode: ExitCode { .missingInput }
    var description: String { "\(path) \(problem)" }
    var hint: String? { "give a model folder, a tokenizer.json file or a .gguf file" }
}
