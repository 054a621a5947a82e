import Base
import Checkpoint

/// Why a merge cannot run, with the place to look. Each case maps to one
/// sysexits code in the command layer (DESIGN.md, "Exit codes").
public enum MergeError: SmeltError, Sendable, Equatable {
    /// The recipe is malformed or asks for something impossible (65).
    case recipe(file: String, mark: YAMLMark?, problem: String)
    /// The recipe asks for something Smelt does not do yet (65).
    case unsupported(file: String, mark: YAMLMark?, feature: String)
    /// A model named by the recipe cannot be found (66).
    case missingModel(file: String, mark: YAMLMark?, reference: String, looked: [String])
    /// A tensor the recipe needs is not in a model (65).
    case missingTensor(tensor: String, model: String, path: String)
    /// A model's layer numbers have a gap below `layer`, which `tensor` is in (65).
    case layerGap(model: String, path: String, tensor: String, layer: Int, missingLayer: Int)
    /// A model's `config.json` states another layer count than its tensors hold (65).
    case layerCountMismatch(model: String, configFile: String, statedLayers: UInt64, tensorLayers: Int)
    /// Two input tensors would be stored under one output name (65).
    case duplicateOutput(tensor: String, input: String, otherInput: String, model: String)
    /// A tensor's shape differs between two models (65).
    case shapeMismatch(tensor: String, model: String, shape: [UInt64], otherModel: String, otherShape: [UInt64])
    /// A tensor is floating point in one model and not in another (65).
    case dtypeMismatch(tensor: String, model: String, dtype: String, otherModel: String, otherDType: String)
    /// An input tensor's dtype cannot be decoded to Float32 (65).
    case uncomputableDType(file: String, tensor: String, dtype: String)
    /// A merged tensor cannot be stored in its output dtype (65).
    case unencodableOutput(tensor: String, dtype: String)
    /// A model's `config.json` is malformed; `byteOffset` where known (65).
    case malformedConfig(file: String, byteOffset: Int?, problem: String)
    /// The output folder holds a different finished merge (73).
    case outputHoldsDifferentMerge(path: String, problem: String)
    /// A SIGINT or SIGTERM stopped the run; staged work is kept (130/143).
    case interrupted(signal: Int32, stagingPath: String, keptBytes: UInt64)
    /// The disk filled up during the run (74).
    case diskFull(path: String, neededBytes: UInt64, stagingPath: String)
    /// A read or write failed during the run; staged work is kept (74).
    case runFailed(cause: SystemError, stagingPath: String)
    /// Staged bytes checked at the start of a resume changed during it (74).
    case stagedOutputChanged(tensor: String, byteOffset: UInt64)
    /// A merged tensor holds NaNs or infinities that its inputs do not: at
    /// least `count`, the first at `element` with `value` (65). Finished
    /// work is kept; `--allow-non-finite` publishes it anyway.
    case nonFiniteOutput(tensor: String, count: Int, element: Int, value: String, stagingPath: String)

    public var exitCode: ExitCode {
        switch self {
        case .missingModel: .missingInput
        case .outputHoldsDifferentMerge: .cannotCreateOutput
        case .diskFull, .runFailed, .stagedOutputChanged: .ioError
        case .interrupted(let signal, _, _): signal == StopSignals.terminate ? .terminated : .interrupted
        case .recipe, .unsupported, .missingTensor, .layerGap, .layerCountMismatch, .duplicateOutput, .shapeMismatch,
            .dtypeMismatch,
            .uncomputableDType,
            .unencodableOutput, .malformedConfig, .nonFiniteOutput:
            .dataError
        }
    }

    public var message: String {
        guard case .interrupted(let signal, _, _) = self else { return description }
        return "stopped by \(StopSignals.name(of: signal)); " + description
    }

    public var description: String {
        switch self {
        case .recipe(let file, let mark, let problem):
            return Self.place(file, mark) + problem
        case .unsupported(let file, let mark, let feature):
            return Self.place(file, mark) + feature + " is not supported yet"
        case .missingModel(let file, let mark, let reference, let looked):
            let places = looked.isEmpty ? "" : " (looked in: " + looked.joined(separator: ", ") + ")"
            return Self.place(file, mark)
                + "model '\(reference)' not found: no such folder or file, and no local Hugging Face cache entry"
                + places
        case .missingTensor(let tensor, let model, let path):
            return "tensor \"\(tensor)\" is missing from '\(model)' (\(path))"
        case .layerGap(let model, let path, let tensor, let layer, let missing):
            return
                "'\(model)' (\(path)): tensor \"\(tensor)\" is in layer \(layer), but the model has no layer \(missing);"
                + " layers must be numbered from 0 without gaps"
        case .layerCountMismatch(let model, let configFile, let stated, let tensorLayers):
            return
                "\(configFile): num_hidden_layers is \(stated), but the tensors of '\(model)' hold \(tensorLayers) layers"
        case .duplicateOutput(let tensor, let input, let otherInput, let model):
            return "tensors \"\(otherInput)\" and \"\(input)\" of '\(model)' would both be stored as \"\(tensor)\";"
                + " their layer numbers are the same number written two ways"
        case .shapeMismatch(let tensor, let model, let shape, let otherModel, let otherShape):
            return "tensor \"\(tensor)\" has shape \(shape) in '\(model)' but \(otherShape) in '\(otherModel)'"
        case .dtypeMismatch(let tensor, let model, let dtype, let otherModel, let otherDType):
            return "tensor \"\(tensor)\" is \(dtype) in '\(model)' but \(otherDType) in '\(otherModel)'"
        case .uncomputableDType(let file, let tensor, let dtype):
            return "\(file): tensor \"\(tensor)\" has dtype \(dtype), which Smelt cannot compute with"
        case .unencodableOutput(let tensor, let dtype):
            return "cannot store \(tensor) as \(dtype)"
        case .malformedConfig(let file, let byteOffset, let problem):
            return "\(file): " + (byteOffset.map { "malformed JSON at byte \($0): " } ?? "") + problem
        case .outputHoldsDifferentMerge(let path, let problem):
            return
                "\(path) already holds a different merge (\(problem)); choose another output folder, or pass --force to replace it"
        case .interrupted(_, let staging, let kept):
            return "finished work (\(kept) bytes) is kept in \(staging): run the same command again to resume"
        case .diskFull(let path, let needed, let staging):
            return
                "\(path): the disk is full: \(needed) more bytes are needed to finish; free some space and run the same command again to resume (finished work is kept in \(staging))"
        case .runFailed(let cause, let staging):
            return
                "\(cause); finished work is kept in \(staging): run the same command again to resume once this is fixed"
        case .stagedOutputChanged(let tensor, let offset):
            return "the staged bytes of \(tensor) at byte \(offset) changed during the run; run the same command again"
        case .nonFiniteOutput(let tensor, let count, let element, let value, let staging):
            let more = count > 1 ? " and at least \(count - 1) more non-finite values" : ""
            return
                "the merge made tensor \"\(tensor)\" hold \(value) at element \(element)\(more), which its inputs do not hold; nothing was published: check the recipe's weights and scales against the inputs' magnitudes and the output dtype's range, or pass --allow-non-finite to publish it anyway (finished work is kept in \(staging))"
        }
    }

    private static func place(_ file: String, _ mark: YAMLMark?) -> String {
        guard let mark else { return file + ": " }
        return "\(file):\(mark.line):\(mark.column): "
    }
}
