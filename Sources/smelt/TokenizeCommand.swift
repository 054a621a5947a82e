import Base
import Tokenize

/// `smelt tokenize MODEL [TEXT] [--input FILE.jsonl] [options]` (issue 14).
enum TokenizeCommand: Command {
    static let name = "tokenize"
    static let overview = """
          tokenize MODEL [TEXT] [options]  encode text or JSONL data records with a model's
                                           tokenizer and chat template, as Hugging Face does
        """
    static let spec = ArgumentSpec(
        flags: ["no-special-tokens", "json"], options: ["input", "threads", "chat-template"],
        positionalCount: 1...2, positionalNames: "MODEL [TEXT]")

    static let help = """
        usage: smelt tokenize MODEL [TEXT] [options]
               smelt tokenize MODEL --input FILE.jsonl [options]

        Encodes TEXT, or every record of a JSONL data file, with the tokenizer
        of MODEL: ids, token strings and character offsets equal to the Hugging
        Face `tokenizers` library's, and chats rendered with the model's chat
        template exactly as transformers' apply_chat_template renders them.

        MODEL is a folder holding tokenizer.json (a model folder, or one with
        only the tokenizer files: tokenizer.json, tokenizer_config.json,
        chat_template.jinja), a tokenizer.json file, or a .gguf file (its
        tokenizer is built in memory as `smelt convert` would write it).

        Data records (one JSON object per line, an optional "id"):
          {"text": "..."}                          special tokens as the tokenizer
                                                   adds them; every token counts
          {"messages": [{"role": "user", "content": "..."}, ...]}
                                                   rendered with the chat template,
                                                   encoded without added special
                                                   tokens; assistant content counts
          {"prompt": "...", "completion": "..."}   encoded as one text; the
                                                   completion counts
        "Counts" is the loss mask: the tokens whose characters overlap the
        assistant content or the completion.

        Offsets count Unicode scalars (Python characters) of the encoded text:
        TEXT, a chat's rendering, or prompt + completion.

        options:
          --input FILE.jsonl     encode the records of FILE instead of TEXT
          --no-special-tokens    do not add the post-processor's special tokens
                                 (text and prompt/completion records)
          --chat-template FILE   use this Jinja chat template instead of the model's
          --threads N            records encoded at once (default: online CPUs);
                                 output order and content never depend on it
          --json                 one JSON object per record:
                                 {"id", "ids", "tokens", "offsets", "decoded",
                                  "loss_mask" (chat and prompt/completion only)}
          -h, --help             show this help

        examples:
          smelt tokenize smollm2 "Hello world"
          smelt tokenize SmolLM2-135M-Instruct.Q4_1.gguf "Bonjour" --json
          smelt tokenize qwen/tokenizer.json --input data.jsonl --json --threads 8

        exit codes: 0 done, 64 usage, 65 malformed tokenizer.json, template or
        data line (named with its line), a chat record without a chat template,
        66 MODEL or FILE missing, 74 I/O error.
        """

    static func run(_ arguments: ParsedArguments) throws -> ExitCode {
        let threads = try OptionValues.threadCount(arguments)
        let input = arguments.options["input"]
        guard (input == nil) == (arguments.positionals.count == 2) else {
            throw UsageError(
                message: input == nil ? "give TEXT or --input FILE.jsonl" : "give TEXT or --input, not both")
        }
        let encoder = try TokenizerSource.encoder(
            for: arguments.positionals[0], chatTemplatePath: arguments.options["chat-template"])
        let output = TokenizeOutput(
            encoder: encoder, json: arguments.flags.contains("json"),
            addSpecialTokens: !arguments.flags.contains("no-special-tokens"))
        if let input {
            try output.encodeFile(input, threads: threads)
        } else {
            try output.encodeText(arguments.positionals[1])
        }
        return .success
    }
}
