import Base
import Tokenize

/// Renders per second of one compiled chat template on a short conversation
/// (system, user, assistant, user; add_generation_prompt true): compile once,
/// render many, as a data pipeline does.
let arguments = CommandLine.arguments
let path = arguments.count > 1 ? arguments[1] : "Fixtures/tokenize/chat/templates/qwen2.5-coder.jinja"
let renders = arguments.count > 2 ? Int(arguments[2]) ?? 20_000 : 20_000
let source = String(decoding: try FileSystem.readSmallFile(path, limit: 1 << 20), as: UTF8.self)

func message(_ role: String, _ content: String) -> TemplateValue {
    .object([(key: "role", value: .string(role)), (key: "content", value: .string(content))])
}
let messages = [
    message("system", "You are a helpful assistant."), message("user", "What is the capital of France?"),
    message("assistant", "Paris."), message("user", "And of Italy?"),
]

let compileStart = ContinuousClock.now
let template = try ChatTemplate(source: source, origin: path)
let compiled = ContinuousClock.now
var characters = 0
for _ in 0..<renders {
    characters += try template.render(
        messages: messages, bosToken: nil, eosToken: "<|im_end|>",
        addGenerationPrompt: true
    ).utf8.count
}
let rendered = ContinuousClock.now

func seconds(_ duration: Duration) -> Double {
    Double(duration.components.seconds) + Double(duration.components.attoseconds) / 1e18
}
let renderSeconds = seconds(rendered - compiled)
let compileMilliseconds = (seconds(compiled - compileStart) * 1e5).rounded() / 100
let microsecondsPerRender = (renderSeconds / Double(renders) * 1e8).rounded() / 100
print("template | compile ms | renders | renders/s | µs/render | bytes/render")
print(
    "\(path.split(separator: "/").last ?? "") | \(compileMilliseconds) | \(renders) | "
        + "\(Int(Double(renders) / renderSeconds)) | \(microsecondsPerRender) | \(characters / max(1, renders))")
