import Base
import Testing

@testable import Tokenize

/// tokenizer_config.json: bos/eos written as strings or token objects, and
/// the chat template as a string or the "default" of a named list.
@Suite struct TokenizerConfigTests {
    private func read(_ json: String) throws(TokenizerError) -> TokenizerConfig {
        try TokenizerConfig(json: Array(json.utf8), file: "c.json")
    }

    @Test func readsTokensAndAPlainTemplate() throws {
        let config = try read(#"{"bos_token": "<s>", "eos_token": {"content": "</s>", "special": true}, "chat_template": "{{ x }}"}"#)
        #expect(config.bosToken == "<s>" && config.eosToken == "</s>" && config.chatTemplate == "{{ x }}")
    }

    @Test func takesTheDefaultOfANamedList() throws {
        let config = try read(#"{"chat_template": [{"name": "tool_use", "template": "T"}, {"name": "default", "template": "D"}]}"#)
        #expect(config.chatTemplate == "D")
        #expect(try read("{}").chatTemplate == nil)
    }

    @Test func refusesAListWithoutDefault() {
        #expect(
            throws: TokenizerError(
                file: "c.json", place: "chat_template", problem: #"a list of chat templates needs one named "default""#)
        ) { try read(#"{"chat_template": [{"name": "rag", "template": "R"}]}"#) }
    }

    @Test func refusesATokenThatIsNeitherStringNorObject() {
        #expect(throws: TokenizerError(file: "c.json", place: "bos_token", problem: "expected an object, found an unsigned integer")) {
            try read(#"{"bos_token": 1}"#)
        }
    }
}
