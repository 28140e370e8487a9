// swift-kmip: vector checking support for the `kmip` tool and the conformance tests.
//
// The server level: a test case's requests sent in order to a live server, each response
// compared with the expected one.

import Foundation
import KMIP

/// Replays test-case files against a live KMIP server.
///
/// For each request of a file, in order:
/// - placeholders are bound: `$NOW±n` to the current time plus `n` seconds, any other symbol
///   (`$UNIQUE_IDENTIFIER_0`, ...) to the value it took in an earlier response;
/// - the request is sent exactly as written (its own protocol version);
/// - the response is compared with the expected one, item by item: a placeholder seen for the
///   first time takes the server's value, a known one must equal it, `$NOW±n` must fall within
///   the time of the exchange (plus the offset, give or take ``clockSlack`` seconds); fields that
///   are random by nature (``randomFields``) must have the expected item type and length (and
///   later requests that repeat the file's literal get the server's value); all
///   else must be equal. A Query response's payload is the server's own and is not compared.
///
/// Files are meant to run in path order against one server that is not reset between them, as
/// the OASIS test cases assume.
public struct ServerReplay: Sendable {
    /// The client that talks to the server.
    public let client: KMIPClient
    /// Seconds a server's clock may differ from the replay's.
    public var clockSlack: Int64 = 5

    /// Creates a replay over `client`.
    public init(client: KMIPClient) { self.client = client }

    /// How a field that is random by nature is compared.
    public enum RandomField: Sendable {
        /// The same item type, and for byte strings the same length.
        case typeAndLength
        /// The same tags, item types and byte-string lengths all the way down (a structure of
        /// key material, for example).
        case shape
    }

    /// Fields whose values a server makes up, with how they are compared instead of exactly.
    public static let randomFields: [Tag: RandomField] = [
        .keyMaterial: .shape,  // a generated key
        .digestValue: .typeAndLength,  // the digest of a generated key
        .ivCounterNonce: .typeAndLength,  // chosen by the server when the request has none
        .signatureData: .typeAndLength,  // made with a generated key
        .macData: .typeAndLength,  // made with a generated key
        .authenticatedEncryptionTag: .typeAndLength,  // made with a generated key
    ]

    /// Dates a server sets itself; where a file (a recorded run) writes them as literals, a
    /// value from this file's run is accepted as well as the literal: the response header's Time
    /// Stamp and these attributes.
    public static let serverSetDates: Set<AttributeName> = [
        .initialDate, .lastChangeDate, .activationDate, .deactivationDate, .destroyDate, .compromiseDate, .archiveDate,
        .originalCreationDate,
    ]

    /// Operations whose Data output depends on a generated key, a server-chosen IV or chance.
    public static let randomDataOperations: Set<KMIP.Operation> = [.encrypt, .rngRetrieve]

    /// Replays one file; `nil` when every response matched, else the first difference.
    public func failure(forXML xml: [UInt8], options: TextDecodingOptions = TextDecodingOptions()) async -> String? {
        let testCase: KMIPTestCase
        do {
            testCase = try KMIPTestCase(xml: xml, options: options)
        } catch {
            return "read: \(error)"
        }
        var bindings: [String: KMIPItem.Value] = [:]
        var substitutions: [KMIPItem.Value: KMIPItem.Value] = [:]
        var serverValues: [Tag: KMIPItem.Value] = [:]
        let fileStarted = Self.now()
        var index = 0
        while index < testCase.messages.count {
            let request = testCase.messages[index]
            guard request.isRequest else { return "message \(index + 1): a \(request.item.tag) where a request was expected" }
            guard index + 1 < testCase.messages.count, !testCase.messages[index + 1].isRequest else {
                return "message \(index + 1): a request without its expected response"
            }
            let expected = testCase.messages[index + 1]
            let started = Self.now()
            var bound: KMIPItem
            do {
                bound = try request.binding { placeholder in
                    if placeholder.name == "NOW" {
                        return placeholder.itemType == .dateTimeExtended
                            ? .dateTimeExtended((started + placeholder.offset) * 1_000_000) : .dateTime(started + placeholder.offset)
                    }
                    if let value = bindings[placeholder.name] { return value }
                    // A symbol no response defined stands for the server's value of that field
                    // in an earlier response ($IV_COUNTER_NONCE: the IV the server chose), else
                    // (some files use one only to make a request fail) a sample of its type.
                    if let tag = Self.item(in: request.item, at: placeholder.path)?.tag, let value = serverValues[tag] { return value }
                    return PlaceholderValues.sample(for: placeholder)
                }
                bound = Self.substituting(bound, substitutions)
            } catch {
                return "message \(index + 1): \(error)"
            }
            let actual: KMIPItem
            do {
                actual = try await client.send(message: bound)
            } catch {
                return "message \(index + 1): no response: \(error)"
            }
            var comparison = Comparison(
                placeholders: Dictionary(expected.placeholders.map { ($0.path, $0) }, uniquingKeysWith: { first, _ in first }),
                bindings: bindings, window: (started - clockSlack)...(Self.now() + clockSlack),
                runWindow: (fileStarted - clockSlack)...(Self.now() + clockSlack))
            if let difference = comparison.first(expected.item, actual) {
                return "message \(index + 2) (response to \(Self.operations(in: request.item))): \(difference)"
            }
            bindings = comparison.bindings
            substitutions.merge(comparison.substitutions) { _, new in new }
            serverValues.merge(comparison.serverValues) { _, new in new }
            index += 2
        }
        return nil
    }

    static func now() -> Int64 { Int64(Date().timeIntervalSince1970) }

    /// The item at a path of child indices.
    static func item(in root: KMIPItem, at path: [Int]) -> KMIPItem? {
        var item = root
        for index in path {
            guard case .structure(let children) = item.value, children.indices.contains(index) else { return nil }
            item = children[index]
        }
        return item
    }

    /// `item` with every value that a random field of an earlier response replaced put back as
    /// the server's value: a file that decrypts the ciphertext it expected gets the server's.
    static func substituting(_ item: KMIPItem, _ substitutions: [KMIPItem.Value: KMIPItem.Value]) -> KMIPItem {
        guard !substitutions.isEmpty else { return item }
        if case .structure(let children) = item.value {
            return KMIPItem(item.tag, structure: children.map { substituting($0, substitutions) })
        }
        return substitutions[item.value].map { KMIPItem(item.tag, $0) } ?? item
    }

    static func operations(in message: KMIPItem) -> String {
        guard case .structure(let children) = message.value else { return "?" }
        let names = children.filter { $0.tag == .batchItem }.compactMap { item -> String? in
            guard case .structure(let fields) = item.value, let operation = fields.first(where: { $0.tag == .operation }),
                case .enumeration(let raw) = operation.value
            else { return nil }
            return "\(KMIP.Operation(rawValue: raw))"
        }
        return names.joined(separator: ", ")
    }

    /// One response compared with its expectation.
    struct Comparison {
        let placeholders: [[Int]: KMIPTestCase.Placeholder]
        var bindings: [String: KMIPItem.Value]
        /// Literal values of random fields and the values the server gave instead.
        var substitutions: [KMIPItem.Value: KMIPItem.Value] = [:]
        /// The values of random fields, by tag.
        var serverValues: [Tag: KMIPItem.Value] = [:]
        let window: ClosedRange<Int64>
        /// Since the file started replaying: when the server may have set a date.
        let runWindow: ClosedRange<Int64>
        var tags: [Tag] = []
        /// The 1.x Attribute Name of the Attribute structure being compared.
        var attributeName: String?
        var indices: [Int] = []
        var operation: KMIP.Operation?

        mutating func first(_ expected: KMIPItem, _ actual: KMIPItem) -> String? {
            guard expected.tag == actual.tag else {
                return "\(path): expected \(name(expected.tag)), got \(name(actual.tag))"
            }
            tags.append(expected.tag)
            defer { tags.removeLast() }
            if expected.tag == .operation, case .enumeration(let raw) = expected.value { operation = KMIP.Operation(rawValue: raw) }
            if let placeholder = placeholders[indices] {
                return bind(placeholder, actual)
            }
            if expected.tag == .attributeName, case .textString(let text) = expected.value { attributeName = text }
            if case .dateTime(let literal) = expected.value, case .dateTime(let seconds) = actual.value, literal != seconds, isServerSetDate {
                return runWindow.contains(seconds)
                    ? nil : "\(path): expected \(describe(expected.value)) or a time of this run, got \(describe(actual.value))"
            }
            if expected.tag == .responsePayload && operation == .query {
                // What a server supports is its own: a Query answer is checked for its presence only.
                return nil
            }
            if expected.tag == .resultMessage {
                // Free text, the server's own words: present where expected, with any text.
                return actual.itemType == .textString ? nil : "\(path): expected a Text String, got \(describe(actual.value))"
            }
            if expected.tag == .randomNumberGenerator || (expected.tag == .attributeValue && attributeName == "Random Number Generator") {
                // How the server makes keys is its own (2.x Random Number Generator attribute).
                return nil
            }
            if expected.tag == .responsePayload && operation == .getAttributeList,
                case .structure(let left) = expected.value, case .structure(let right) = actual.value
            {
                // A list of names: the same names, in any order.
                func names(_ items: [KMIPItem]) -> [String] {
                    items.filter { $0.tag != .uniqueIdentifier }.map { "\($0.tag.rawValue):\($0.value)" }.sorted()
                }
                if names(left) != names(right) {
                    let missing = left.filter { item in !right.contains(item) && item.tag != .uniqueIdentifier }
                    let extra = right.filter { item in !left.contains(item) && item.tag != .uniqueIdentifier }
                    return "\(path): attribute names differ: missing \(missing.map { describe($0.value, tag: $0.tag) }), unexpected \(extra.map { describe($0.value, tag: $0.tag) })"
                }
                guard let leftID = left.first(where: { $0.tag == .uniqueIdentifier }), let rightID = right.first(where: { $0.tag == .uniqueIdentifier }) else {
                    return nil
                }
                indices.append(left.firstIndex(of: leftID) ?? 0)
                defer { indices.removeLast() }
                return first(leftID, rightID)
            }
            let rule = ServerReplay.randomFields[expected.tag]
                ?? (expected.tag == .data && operation.map(ServerReplay.randomDataOperations.contains) == true ? .typeAndLength : nil)
            if let rule {
                if let difference = sameShape(expected, actual, deep: rule == .shape) { return difference }
                if expected.value != actual.value, case .byteString = expected.value { substitutions[expected.value] = actual.value }
                serverValues[expected.tag] = actual.value
                return nil
            }
            switch (expected.value, actual.value) {
            case (.structure(var left), .structure(var right)):
                if expected.tag == .batchItem {
                    let wanted = left.first { $0.tag == .resultStatus }?.value
                    let got = right.first { $0.tag == .resultStatus }?.value
                    if let wanted, let got, wanted != got {
                        let said = [
                            right.first { $0.tag == .resultReason }.map { describe($0.value, tag: .resultReason) },
                            right.first { $0.tag == .resultMessage }.map { describe($0.value) },
                        ].compactMap { $0 }
                        return "\(path)/ResultStatus: expected \(describe(wanted, tag: .resultStatus)), got \(describe(got, tag: .resultStatus))"
                            + (said.isEmpty ? "" : " (\(said.joined(separator: " ")))")
                    }
                }
                // A Server Correlation Value is the server's to send or not (KMIP 1.4+).
                if expected.tag == .responseHeader {
                    left.removeAll { $0.tag == .serverCorrelationValue }
                    right.removeAll { $0.tag == .serverCorrelationValue }
                }
                for position in 0..<max(left.count, right.count) {
                    guard position < left.count else { return "\(path): unexpected \(name(right[position].tag)) (item \(position + 1))" }
                    guard position < right.count else { return "\(path): missing \(name(left[position].tag)) (item \(position + 1))" }
                    indices.append(position)
                    defer { indices.removeLast() }
                    if let difference = first(left[position], right[position]) { return difference }
                }
                return nil
            default:
                // A 1.x Attribute Value is an enumeration of the attribute named beside it.
                let named = expected.tag == .attributeValue ? attributeName.flatMap { AttributeName($0).tag } ?? expected.tag : expected.tag
                return expected.value == actual.value
                    ? nil : "\(path): expected \(describe(expected.value, tag: named)), got \(describe(actual.value, tag: named))"
            }
        }

        /// Whether the item being compared is a date the server sets (see ``ServerReplay/serverSetDates``).
        var isServerSetDate: Bool {
            guard let tag = tags.last else { return false }
            if tag == .timeStamp { return tags.dropLast().last == .responseHeader }
            if tag == .attributeValue { return attributeName.map { ServerReplay.serverSetDates.contains(AttributeName($0)) } ?? false }
            return AttributeName(tag: tag).map(ServerReplay.serverSetDates.contains) ?? false
        }

        mutating func bind(_ placeholder: KMIPTestCase.Placeholder, _ actual: KMIPItem) -> String? {
            guard actual.itemType == placeholder.itemType else {
                return "\(path): expected a \(placeholder.itemType) for \(placeholder.text), got \(describe(actual.value))"
            }
            if placeholder.name == "NOW" {
                let seconds: Int64
                switch actual.value {
                case .dateTime(let value): seconds = value
                case .dateTimeExtended(let value): seconds = value / 1_000_000
                default: return "\(path): \(placeholder.text) is not a date"
                }
                let wanted = (window.lowerBound + placeholder.offset)...(window.upperBound + placeholder.offset)
                return wanted.contains(seconds)
                    ? nil : "\(path): expected \(placeholder.text) (\(describe(.dateTime(wanted.lowerBound))) to \(describe(.dateTime(wanted.upperBound)))), got \(describe(actual.value))"
            }
            if let known = bindings[placeholder.name] {
                return known == actual.value ? nil : "\(path): expected \(placeholder.text) = \(describe(known)), got \(describe(actual.value))"
            }
            bindings[placeholder.name] = actual.value
            return nil
        }

        func sameShape(_ expected: KMIPItem, _ actual: KMIPItem, deep: Bool) -> String? {
            guard expected.itemType == actual.itemType else {
                return "\(path): expected a \(expected.itemType), got \(describe(actual.value))"
            }
            switch (expected.value, actual.value) {
            case (.byteString(let left), .byteString(let right)):
                return left.count == right.count ? nil : "\(path): expected \(left.count) bytes, got \(right.count) (random field: length only)"
            case (.structure(let left), .structure(let right)) where deep:
                guard left.map(\.tag) == right.map(\.tag) else {
                    return "\(path): expected fields \(left.map { name($0.tag) }), got \(right.map { name($0.tag) })"
                }
                for (leftChild, rightChild) in zip(left, right) {
                    if let difference = sameShape(leftChild, rightChild, deep: true) { return difference }
                }
                return nil
            default:
                return nil
            }
        }

        var path: String { tags.map(name).joined(separator: "/") }

        func name(_ tag: Tag) -> String { KMIPRegistry.standard.definition(of: tag)?.name.replacingOccurrences(of: " ", with: "") ?? tag.hexString }

        func describe(_ value: KMIPItem.Value, tag: Tag? = nil) -> String {
            if case .enumeration(let raw) = value, let tag, let entry = KMIPRegistry.standard.enumeration(for: tag)?.entry(for: raw) {
                return "Enumeration \(entry.name)"
            }
            let line = KMIPItem(Tag(rawValue: 0), value).dump(revealingSecrets: true, registry: KMIPRegistry(tags: [], enumerations: []))
            return line.dropFirst("0x000000 ".count).trimmingCharacters(in: .newlines).replacingOccurrences(of: " = ", with: " ")
        }
    }
}
