// swift-kmip: ClipViewer
//
// The viewer's in-memory state: the key cache, the login rate limiter, the access log.

import Crypto
import Foundation
#if canImport(Glibc)
import Glibc
#endif
import SealedFile

/// Clip keys kept briefly, so seeking through a video does not ask the key manager for every
/// Range request. A key is dropped when its time is up, and at once when the key provider says
/// it is destroyed.
actor KeyCache {
    private struct Entry {
        let key: SymmetricKey
        let expires: ContinuousClock.Instant
    }

    private let lifetime: Duration
    private let provider: ViewerKeyProvider
    private var entries: [String: Entry] = [:]

    init(lifetime: Duration, provider: @escaping ViewerKeyProvider) {
        self.lifetime = lifetime
        self.provider = provider
    }

    /// The key of the clip with `header`, from the cache or the provider.
    func key(for header: SealedFileHeader) async throws -> SymmetricKey {
        let id = Self.cacheKey(header)
        let now = ContinuousClock.now
        if let entry = entries[id], entry.expires > now { return entry.key }
        entries[id] = nil
        do {
            let key = try await provider(header)
            if lifetime > .zero { entries[id] = Entry(key: key, expires: ContinuousClock.now + lifetime) }
            return key
        } catch let error as ViewerKeyError {
            if case .destroyed = error { entries[id] = nil }
            throw error
        }
    }

    /// Drops the key of `header` (the provider said it is destroyed, or it did not open a clip).
    func drop(_ header: SealedFileHeader) {
        entries[Self.cacheKey(header)] = nil
    }

    private static func cacheKey(_ header: SealedFileHeader) -> String {
        "\(header.serverIdentity.utf8.count):\(header.serverIdentity)\(header.keyIdentifier)"
    }
}

/// Counts failed logins per user name and per client address over a sliding window.
actor LoginRateLimiter {
    private let limit: ViewerLoginLimit
    private var failuresByUser: [String: [ContinuousClock.Instant]] = [:]
    private var failuresByAddress: [String: [ContinuousClock.Instant]] = [:]

    init(limit: ViewerLoginLimit) { self.limit = limit }

    /// Nil when `user` from `address` may try to log in; else how long to wait.
    func refusal(user: String, address: String) -> Duration? {
        let now = ContinuousClock.now
        prune(now)
        var wait: Duration? = nil
        for (failures, allowed) in [(failuresByUser[user] ?? [], limit.perUser), (failuresByAddress[address] ?? [], limit.perAddress)]
        where failures.count >= allowed {
            let until = failures[failures.count - allowed] + limit.window - now
            wait = max(wait ?? .zero, until)
        }
        return wait
    }

    /// Records a failed login.
    func recordFailure(user: String, address: String) {
        let now = ContinuousClock.now
        failuresByUser[user, default: []].append(now)
        failuresByAddress[address, default: []].append(now)
    }

    /// Forgets the failures of `user` after a successful login (the address keeps its count).
    func recordSuccess(user: String) {
        failuresByUser[user] = nil
    }

    private func prune(_ now: ContinuousClock.Instant) {
        let oldest = now - limit.window
        failuresByUser = failuresByUser.compactMapValues { list in
            let kept = list.filter { $0 > oldest }
            return kept.isEmpty ? nil : kept
        }
        failuresByAddress = failuresByAddress.compactMapValues { list in
            let kept = list.filter { $0 > oldest }
            return kept.isEmpty ? nil : kept
        }
    }
}

/// One line of the access log. It names people, clips and key identifiers, never key material.
struct AccessLogEntry: Encodable {
    var time: String
    var event: String
    var user: String?
    var client: String?
    var clip: String?
    var keyIdentifier: String?
    var range: String?
    var status: Int
    var result: String
}

/// Appends JSON lines to the access log (O_APPEND, mode 0600). A failed write is counted and
/// reported once to the logger, never fatal.
actor AccessLog {
    private let path: String
    private let descriptor: Int32
    private(set) var failedWrites = 0

    init(path: String) throws {
        let directory = (path as NSString).deletingLastPathComponent
        if !directory.isEmpty { try makeDirectory(directory) }
        let descriptor = open(path, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0o600)
        guard descriptor >= 0 else { throw ViewerError.accessLog("cannot open \(path): \(String(cString: strerror(errno)))") }
        self.path = path
        self.descriptor = descriptor
    }

    deinit { close(descriptor) }

    /// Appends `entry` as one line.
    @discardableResult
    func append(_ entry: AccessLogEntry) -> Bool {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        guard var line = try? encoder.encode(entry) else { failedWrites += 1; return false }
        line.append(UInt8(ascii: "\n"))
        let written = line.withUnsafeBytes { write(descriptor, $0.baseAddress, $0.count) }
        guard written == line.count else { failedWrites += 1; return false }
        return true
    }

    static func now() -> String {
        let formatter = ISO8601DateFormatter()
        formatter.formatOptions = [.withInternetDateTime, .withFractionalSeconds]
        return formatter.string(from: Date())
    }
}

/// A single byte range of a Range header, resolved against a length.
enum ByteRangeRequest: Equatable {
    /// No Range header (or one this server ignores, as RFC 9110 allows): the whole body.
    case whole
    /// A satisfiable range of the body.
    case partial(Range<Int>)
    /// A valid range that the body cannot satisfy: 416.
    case unsatisfiable

    /// Reads `header` (`bytes=first-last`, `bytes=first-`, `bytes=-suffix`) for a body of `length`
    /// bytes. Several ranges, other units and malformed values are ignored (the whole body is sent).
    init(header: String?, length: Int) {
        guard let header = header?.trimmingCharacters(in: .whitespaces), header.lowercased().hasPrefix("bytes=") else {
            self = .whole
            return
        }
        let spec = header.dropFirst(6).trimmingCharacters(in: .whitespaces)
        guard !spec.contains(","), let dash = spec.firstIndex(of: "-") else {
            self = .whole
            return
        }
        let first = spec[..<dash].trimmingCharacters(in: .whitespaces)
        let last = spec[spec.index(after: dash)...].trimmingCharacters(in: .whitespaces)
        let digits = { (text: String) in !text.isEmpty && text.utf8.count <= 18 && text.utf8.allSatisfy { $0 >= 0x30 && $0 <= 0x39 } }
        if first.isEmpty {
            // A suffix: the last N bytes.
            guard digits(last), let suffix = Int(last) else { self = .whole; return }
            guard suffix > 0, length > 0 else { self = .unsatisfiable; return }
            self = .partial(max(0, length - suffix)..<length)
            return
        }
        guard digits(first), let start = Int(first) else { self = .whole; return }
        var end = length - 1
        if !last.isEmpty {
            guard digits(last), let value = Int(last) else { self = .whole; return }
            guard value >= start else { self = .whole; return }  // invalid: ignored
            end = min(value, length - 1)
        }
        guard start < length else { self = .unsatisfiable; return }
        self = .partial(start..<(end + 1))
    }
}
