import Base

// Stand-in until the Jinja renderer lands (deleted at that merge).
public indirect enum TemplateValue: Sendable {
    case none
    public init(json: JSONValue) { self = .none }
}

public struct ChatTemplateError: SmeltError, Equatable {
    public let problem: String
    public var exitCode: ExitCode { .dataError }
    public var description: String { problem }
}

public struct ChatTemplate: Sendable {
    public init(source: String, origin: String) throws(ChatTemplateError) {}
    public func render(
        messages: [TemplateValue], bosToken: String?, eosToken: String?, addGenerationPrompt: Bool
    ) throws(ChatTemplateError) -> String {
        throw ChatTemplateError(problem: "not yet")
    }
}
