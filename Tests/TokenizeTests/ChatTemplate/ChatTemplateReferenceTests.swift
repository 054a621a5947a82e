import Base
import Testing

@testable import Tokenize

/// Every real template renders every reference conversation exactly as
/// transformers does, and refuses where transformers raised.
@Suite struct ChatTemplateReferenceTests {
    static let templateNames = ChatTemplateReference.shared.templates.keys.sorted()

    @Test(arguments: templateNames)
    func rendersExactlyAsTransformers(_ name: String) throws {
        let reference = ChatTemplateReference.shared
        let template = try ChatTemplate(source: try #require(reference.templates[name]).source, origin: name + ".jinja")
        for rendering in reference.renderings where rendering.template == name {
            let label = "\(rendering.conversation), add_generation_prompt \(rendering.addGenerationPrompt)"
            let result = Result { () throws(ChatTemplateError) in
                try reference.render(rendering, with: template)
            }
            if let expected = rendering.rendered {
                switch result {
                case .success(let text):
                    #expect(text == expected, "\(label)")
                case .failure(let error):
                    Issue.record("\(label): refused where transformers renders: \(error)")
                }
            } else if case .success(let text) = result {
                Issue.record(
                    "\(label): rendered \(text.debugDescription) where transformers raised \(rendering.error ?? "")")
            }
        }
    }

    @Test func templateErrorsCarryTheRaisedText() throws {
        let reference = ChatTemplateReference.shared
        let raised = reference.renderings.filter { $0.error?.hasPrefix("TemplateError: ") ?? false }
        #expect(!raised.isEmpty)
        for rendering in raised {
            let template = try ChatTemplate(
                source: try #require(reference.templates[rendering.template]).source,
                origin: rendering.template)
            let message = String(try #require(rendering.error).dropFirst("TemplateError: ".count))
            #expect(throws: ChatTemplateError.self) {
                try reference.render(rendering, with: template)
            }
            do {
                _ = try reference.render(rendering, with: template)
            } catch {
                #expect(error.problem.contains(message), "\(rendering.template)/\(rendering.conversation)")
            }
        }
    }

    @Test func briefConversationFormMatchesTheFullOne() throws {
        let reference = ChatTemplateReference.shared
        let smol = try #require(reference.templates["smollm2"])
        let template = try ChatTemplate(source: smol.source, origin: "smollm2")
        for rendering in reference.renderings where rendering.template == "smollm2" && rendering.rendered != nil {
            let conversation = try #require(reference.conversations[rendering.conversation])
            let text = try template.render(
                messages: conversation.messages, bosToken: smol.bosToken, eosToken: smol.eosToken,
                addGenerationPrompt: rendering.addGenerationPrompt)
            #expect(text == rendering.rendered)
        }
    }
}
