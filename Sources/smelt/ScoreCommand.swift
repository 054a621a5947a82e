import Base
import Model
import Tokenize

/// `smelt score MODEL DATA.jsonl [options]` (issue 15).
enum ScoreCommand: Command {
    static let name = "score"
    static let overview = """
          score MODEL DATA.jsonl [options] per-token log-probabilities, mean NLL and perplexity of
                                           JSONL data records under a model, on the CPU
        """
    static let spec = ArgumentSpec(
        flags: ["json", "quiet"], options: ["top-k", "threads", "memory-budget", "max-tokens", "chat-template"],
        positionalCount: 2...2, positionalNames: "MODEL DATA.jsonl")

    static let help = """
        usage: smelt score MODEL DATA.jsonl [options]

        Runs MODEL over every record of DATA.jsonl with the known tokens as
        input (teacher forcing, no generation) and reports how likely each next
        token was: per record the mean negative log-likelihood (NLL, in nats)
        over the loss positions and its perplexity exp(NLL), and the totals.
        Float32 arithmetic, equal to transformers' Float32 forward pass within
        1e-3 per token; the numbers of a record depend only on the model and
        that record, never on --threads, --memory-budget or the other records.

        MODEL is a Hugging Face model folder (config.json, safetensors weights
        in BF16, F16 or F32, tokenizer.json) or a .gguf file. Architectures:
        llama (SmolLM2, Llama 2 and 3), qwen2 (Qwen2, Qwen2.5), gemma3_text
        (Gemma 3).

        Data records (one JSON object per line, an optional "id"), as for
        `smelt tokenize`:
          {"text": "..."}                          every position counts
          {"messages": [{"role": ..., "content": ...}, ...]}
                                                   rendered with the chat template;
                                                   assistant tokens count
          {"prompt": "...", "completion": "..."}   completion tokens count
        Position i predicts token i + 1; it counts when token i + 1 does.

        options:
          --top-k K              most likely next tokens kept per position with
                                 --json (default 5; 0 keeps none)
          --json                 one JSON object per record, then a summary:
                                 {"id", "ids", "n_tokens", "gold_logprob" (n-1),
                                  "logsumexp" (n), "top_ids" (n × K),
                                  "top_logprobs" (n × K), "loss_mask" (n-1),
                                  "mean_nll"}
                                 {"summary": {"records", "tokens", "loss_tokens",
                                  "mean_nll", "perplexity"}}
          --max-tokens N         refuse records longer than N tokens (default:
                                 the model's max_position_embeddings)
          --chat-template FILE   use this Jinja chat template instead of the model's
          --memory-budget SIZE   peak memory for weights and activations (default:
                                 1G or a quarter of RAM); under a budget smaller
                                 than the model only one layer is resident
          --threads N            worker threads (default: online CPUs)
          --quiet                no progress bar
          -h, --help             show this help

        examples:
          smelt score smollm2 eval.jsonl
          smelt score gemma-3-270m-q4_k_m.gguf chats.jsonl --json --top-k 10 > scores.jsonl
          smelt score qwen eval.jsonl --memory-budget 256M --threads 2

        exit codes: 0 done, 64 usage (a budget too small for one record
        included), 65 malformed config, weights, data line (named with its
        line), an empty record or one longer than --max-tokens, 66 MODEL,
        its config.json or tokenizer, or DATA missing, 74 I/O error.
        """

    static func run(_ arguments: ParsedArguments) throws -> ExitCode {
        let threads = try OptionValues.threadCount(arguments)
        let budgetBytes = try OptionValues.memoryBudgetBytes(arguments)
        let topK = try arguments.options["top-k"].map { (text) throws(UsageError) in
            try OptionValues.count(text, option: "top-k", range: 0...1_000)
        } ?? 5
        let maxTokens = try arguments.options["max-tokens"].map { (text) throws(UsageError) in
            try OptionValues.count(text, option: "max-tokens", range: 1...10_000_000)
        }
        let modelPath = arguments.positionals[0]
        let dataPath = arguments.positionals[1]
        let model = try LanguageModel.open(path: modelPath)
        let encoder = try TokenizerSource.encoder(for: modelPath, chatTemplatePath: arguments.options["chat-template"])
        let run = ScoreRun(
            model: model, encoder: encoder, topK: min(topK, model.config.vocabularySize),
            maxTokens: maxTokens ?? model.config.contextLength, threads: threads,
            budget: ByteBudget(limitBytes: budgetBytes), json: arguments.flags.contains("json"),
            showsProgress: !arguments.flags.contains("quiet") && !arguments.flags.contains("json"))
        try run.score(dataPath)
        return .success
    }
}
