import Base

/// The text of `smelt --help`: what Smelt is, each command's overview, and
/// what holds for all of them. Each command's own `--help` lives with it.
enum Help {
    static func main(commands: [any Command.Type]) -> String {
        """
        smelt: merge large language model checkpoints out of core.

        usage: smelt <command> [options]

        commands:
        \(commands.map { $0.overview }.joined(separator: "\n"))

        smelt --version prints the version.

        PATH is a model folder (model.safetensors, or shards with
        model.safetensors.index.json), a single .safetensors file, or (for
        inspect and hash) a .gguf file. 'smelt convert' turns a GGUF file
        (llama.cpp, ollama) into such a folder. Run 'smelt <command> --help'
        for details.

        exit codes: 0 ok, 1 verify found a problem, 64 usage, 65 malformed input,
        66 missing input, 73 cannot create output, 74 I/O error, 130/143
        stopped by SIGINT/SIGTERM (a merge or a conversion then resumes when
        run again).
        """
    }
}
