import Base

/// One stored tensor as a reader describes it: its name, shape and how its
/// elements are encoded. Shapes are checked to fit `Int` when the file is
/// read, so they are stored as `Int`.
public struct TensorInfo: Sendable, Equatable {
    public let name: String
    /// The safetensors dtype of the stored bytes, when they are one (raw
    /// copies and 16-bit pieces are exact only then); nil for block-quantised
    /// encodings.
    public let dtype: DType?
    /// The encoding's name as the format spells it ("BF16", "Q4_K").
    public let encodingName: String
    public let shape: [Int]
    public let elementCount: Int
    public let byteCount: UInt64
    /// Elements per encoded block: 1 for plain dtypes, 32 or 256 for
    /// quantised ones. Element ranges handed to `decode` start and end on a
    /// block boundary (the last may end at the tensor's end).
    public let blockElementCount: Int
    /// Bytes per encoded block.
    public let blockByteCount: Int
    /// Whether `decode` can turn these elements into Float32.
    public let isDecodable: Bool

    /// `isDecodable` defaults to what the dtype says, and to true for an
    /// encoding without one.
    public init(
        name: String, dtype: DType?, encodingName: String, shape: [Int], elementCount: Int, byteCount: UInt64,
        blockElementCount: Int, blockByteCount: Int, isDecodable: Bool? = nil
    ) {
        self.name = name
        self.dtype = dtype
        self.encodingName = encodingName
        self.shape = shape
        self.elementCount = elementCount
        self.byteCount = byteCount
        self.blockElementCount = blockElementCount
        self.blockByteCount = blockByteCount
        self.isDecodable = isDecodable ?? dtype?.isConvertibleFloat ?? true
    }
}

/// Everything that reads tensors goes through this: safetensors and GGUF
/// files (DESIGN.md, "Layers"). Readers are shared by worker threads;
/// every call reads at explicit offsets and keeps no state.
public protocol TensorReader: AnyObject, Sendable {
    /// The file, for messages.
    var path: String { get }
    /// The tensors in file order; calls name a tensor by its index here.
    var tensorInfos: [TensorInfo] { get }
    /// Copies the stored bytes `range` (relative to the tensor's first byte)
    /// into `destination`, which is exactly `range.count` bytes.
    func readRawBytes(
        ofTensor index: Int, _ range: Range<UInt64>, into destination: UnsafeMutableRawBufferPointer) throws
    /// Decodes elements `elements` of a tensor to Float32 into
    /// `destination` (exactly `elements.count` values), using `scratch` for
    /// the encoded bytes (at least `scratchBytes(forElements:)` long).
    func decode(
        tensor index: Int, elements: Range<Int>, into destination: UnsafeMutableBufferPointer<Float>,
        scratch: UnsafeMutableRawBufferPointer
    ) throws
}

extension TensorInfo {
    /// Scratch bytes `decode` needs for `count` elements: the encoded
    /// blocks that hold them.
    public func scratchBytes(forElements count: Int) -> Int {
        (count + blockElementCount - 1) / blockElementCount * blockByteCount
    }
}

/// A tensor a reader cannot decode to Float32 (65).
public struct TensorReaderError: SmeltError, Equatable {
    public let file: String
    public let tensor: String
    public let encoding: String

    public init(file: String, tensor: String, encoding: String) {
        self.file = file
        self.tensor = tensor
        self.encoding = encoding
    }

    public var exitCode: ExitCode { .dataError }
    public var description: String {
        "\(file): tensor \"\(tensor)\" has dtype \(encoding), which Smelt cannot compute with"
    }
}
