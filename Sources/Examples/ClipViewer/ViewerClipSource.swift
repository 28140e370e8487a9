// swift-kmip: ClipViewer
//
// Where the viewer's clips and keys come from.

import Crypto
import Foundation
import SealedFile

/// A sealed clip as the viewer lists it.
public struct ViewerClip: Hashable, Sendable {
    /// The clip's name: a plain file name (see ``ViewerClip/isValidName(_:)``).
    public var name: String
    /// When the clip was recorded, when known.
    public var recorded: Date?
    /// The size of the sealed file in bytes.
    public var size: Int
    /// The Unique Identifier of the KMIP key that opens the clip.
    public var keyIdentifier: String
    /// The key's state as the key manager reports it (`Active`, `Destroyed`, ...), for display.
    public var keyState: String

    /// Creates a clip entry.
    public init(name: String, recorded: Date?, size: Int, keyIdentifier: String, keyState: String) {
        self.name = name
        self.recorded = recorded
        self.size = size
        self.keyIdentifier = keyIdentifier
        self.keyState = keyState
    }

    /// Whether `name` is an acceptable clip name: 1 to 200 characters of letters, digits, `.`,
    /// `_` and `-`, not starting with `.` (so no paths, no hidden files, nothing to escape).
    public static func isValidName(_ name: String) -> Bool {
        guard (1...200).contains(name.utf8.count), !name.hasPrefix(".") else { return false }
        return name.utf8.allSatisfy { byte in
            (byte >= 0x30 && byte <= 0x39) || (byte >= 0x41 && byte <= 0x5A) || (byte >= 0x61 && byte <= 0x7A)
                || byte == UInt8(ascii: ".") || byte == UInt8(ascii: "_") || byte == UInt8(ascii: "-")
        }
    }
}

/// Where the viewer gets its clips: a local directory, or a remote store through a local cache.
public protocol ViewerClipSource: Sendable {
    /// The clips to list, newest first or in any order the source prefers.
    func clips() async throws -> [ViewerClip]
    /// The local path of the sealed file `name` (downloaded to a cache first when the source is
    /// remote). Throws ``ViewerClipError/notFound(_:)`` for a clip that does not exist.
    func sealedFile(named name: String) async throws -> String
}

/// Gets the KMIP key (16 or 32 bytes) that opens a clip with this header. Throws
/// ``ViewerKeyError/destroyed(keyIdentifier:)`` when the key manager says the key is destroyed.
public typealias ViewerKeyProvider = @Sendable (SealedFileHeader) async throws -> SymmetricKey

/// Why the viewer cannot get a clip.
public enum ViewerClipError: Error, Hashable, Sendable, CustomStringConvertible {
    /// No clip of that name.
    case notFound(String)
    /// The name is not a clip name (see ``ViewerClip/isValidName(_:)``).
    case invalidName(String)
    /// The source cannot be read (the reason says why).
    case unavailable(String)

    public var description: String {
        switch self {
        case .notFound(let name): "there is no clip '\(name)'"
        case .invalidName(let name): "'\(name)' is not a clip name"
        case .unavailable(let reason): reason
        }
    }
}

/// Why the key provider cannot give a clip's key.
public enum ViewerKeyError: Error, Hashable, Sendable, CustomStringConvertible {
    /// The key manager says the key is destroyed: the clip can never be opened again.
    case destroyed(keyIdentifier: String)
    /// The key cannot be had now (not found, not allowed, server unreachable: the reason says).
    case unavailable(keyIdentifier: String, reason: String)

    public var description: String {
        switch self {
        case .destroyed(let id): "the key '\(id)' has been destroyed: this clip can no longer be opened"
        case .unavailable(let id, let reason): "the key '\(id)' is not available: \(reason)"
        }
    }
}

/// The `.sealed` files of a local directory, as viewer clips.
///
/// The recorded time is the header's `captured` metadata (ISO 8601) when present, else the file's
/// modification time.
public struct DirectoryViewerClipSource: ViewerClipSource {
    /// The directory (absolute, standardised).
    public let directory: String
    private let keyState: @Sendable (SealedFileHeader) async -> String

    /// A source over `directory`; `keyState` tells the state of a clip's key for the list (for
    /// example from KMIP Get Attributes).
    public init(directory: String, keyState: @escaping @Sendable (SealedFileHeader) async -> String = { _ in "unknown" }) {
        self.directory = URL(fileURLWithPath: directory).standardizedFileURL.path
        self.keyState = keyState
    }

    public func clips() async throws -> [ViewerClip] {
        let names: [String]
        do { names = try FileManager.default.contentsOfDirectory(atPath: directory) } catch {
            throw ViewerClipError.unavailable("cannot list the clip directory \(directory): \(error.localizedDescription)")
        }
        var clips: [ViewerClip] = []
        for name in names.sorted() where name.hasSuffix(".sealed") && ViewerClip.isValidName(name) {
            let path = directory + "/" + name
            guard let source = try? FileRandomAccessSource(path: path) else { continue }
            // A file that is not a readable sealed file is listed with what is known.
            let header = try? SealedFileReader.readHeader(of: source).header
            let modified = (try? FileManager.default.attributesOfItem(atPath: path)[.modificationDate]) as? Date
            let recorded = header?.metadata["captured"].flatMap { ISO8601DateFormatter().date(from: $0) } ?? modified
            var state = "not a sealed file"
            if let header { state = await keyState(header) }
            clips.append(ViewerClip(
                name: name, recorded: recorded, size: source.size, keyIdentifier: header?.keyIdentifier ?? "", keyState: state))
        }
        return clips.sorted { ($0.recorded ?? .distantPast, $1.name) > ($1.recorded ?? .distantPast, $0.name) }
    }

    public func sealedFile(named name: String) async throws -> String {
        guard ViewerClip.isValidName(name) else { throw ViewerClipError.invalidName(name) }
        let path = directory + "/" + name
        // The type of the entry itself: a symbolic link in the clip directory is not followed out of it.
        let type = (try? FileManager.default.attributesOfItem(atPath: path))?[.type] as? FileAttributeType
        guard type == .typeRegular else { throw ViewerClipError.notFound(name) }
        return path
    }
}
