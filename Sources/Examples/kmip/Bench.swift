// swift-kmip: the `kmip` command line tool.

import ArgumentParser
import Foundation
import KMIP
import KMIPXML

/// `kmip bench`: throughput figures anyone can compare with another library on the same input.
struct Bench: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Measure the speed of the codecs and of the client.",
        subcommands: [Codec.self, Client.self]
    )

    /// `kmip bench codec`: decode and encode one message in a loop.
    struct Codec: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Decode and encode one message in a loop and print messages per second.",
            discussion: """
                Prints `decode: N msgs/s` (TTLV bytes to tree) and `encode: N msgs/s` (tree to TTLV \
                bytes), one per line, measured for --seconds each after a warm-up; with --text also \
                the XML and JSON encodings of the same message; with --typed also `typed-decode` (TTLV \
                bytes to the typed Request or Response Message) and `typed-encode` (typed message to \
                TTLV bytes). Reading the input file is not part of the loop. Build with `-c release` \
                for meaningful figures.
                """
        )

        @Option(help: "Input format: hex (one message per line; the first is used), xml or json.")
        var from: MessageFormat = .hex

        @Option(help: "Seconds to measure each operation (after a warm-up of a tenth of that).")
        var seconds: Double = 2

        @Flag(help: "Also measure the XML and JSON encodings of the message (xml-decode, xml-encode, json-decode, json-encode lines).")
        var text = false

        @Flag(help: "Also measure decoding into and encoding from the typed message (typed-decode, typed-encode lines).")
        var typed = false

        @Argument(help: "The file holding the message.")
        var file: String

        func validate() throws {
            guard seconds > 0, seconds <= 600 else { throw ValidationError("--seconds must be between 0 and 600") }
            guard from == .hex || from == .xml || from == .json || from == .ttlv else {
                throw ValidationError("--from must be hex, ttlv, xml or json")
            }
        }

        func run() throws {
            #if DEBUG
            FileHandle.standardError.write(Data("warning: this is a debug build; figures are far below a release build (swift run -c release kmip bench codec ...)\n".utf8))
            #endif
            let input = try MessageIO.readInput(file)
            guard let message = try MessageIO.decodeMessages(input, format: from, options: .strict).itemsWithoutPlaceholders().first else {
                throw ToolError("\(file) holds no message")
            }
            let bytes = try TTLVEncoder().encode(message)
            let decoder = TTLVDecoder()
            let encoder = TTLVEncoder()
            FileHandle.standardError.write(Data("message: \(bytes.count) bytes, \(message.itemCount) items; \(seconds) s per operation\n".utf8))

            let decodeRate = try measure(seconds: seconds) { Int(try decoder.decode(bytes).tag.rawValue) }
            print("decode: \(decodeRate) msgs/s")
            let encodeRate = try measure(seconds: seconds) { try encoder.encode(message).count }
            print("encode: \(encodeRate) msgs/s")
            if typed { try measureTyped(message: message, bytes: bytes) }
            guard text else { return }

            let xml = Array(KMIPXMLEncoder().encode(message).utf8)
            let json = Array(KMIPJSONEncoder().encode(message).utf8)
            let xmlDecoder = KMIPXMLDecoder(), xmlEncoder = KMIPXMLEncoder()
            let jsonDecoder = KMIPJSONDecoder(), jsonEncoder = KMIPJSONEncoder()
            func line(_ name: String, _ rate: Int, bytes: Int) {
                let megabytes = Double(rate) * Double(bytes) / 1_000_000
                print("\(name): \(rate) msgs/s (\(Int(megabytes.rounded())) MB/s of \(bytes)-byte text)")
            }
            line("xml-decode", try measure(seconds: seconds) { Int(try xmlDecoder.decode(xml).tag.rawValue) }, bytes: xml.count)
            line("xml-encode", try measure(seconds: seconds) { xmlEncoder.encode(message).utf8.count }, bytes: xml.count)
            line("json-decode", try measure(seconds: seconds) { Int(try jsonDecoder.decode(json).tag.rawValue) }, bytes: json.count)
            line("json-encode", try measure(seconds: seconds) { jsonEncoder.encode(message).utf8.count }, bytes: json.count)
        }
    }
}

extension Bench.Codec {
    /// Bytes -> typed message and typed message -> bytes, for a Request or Response Message.
    func measureTyped(message: KMIPItem, bytes: [UInt8]) throws {
        switch message.tag {
        case .requestMessage:
            let typed = try RequestMessage(ttlv: bytes)
            print("typed-decode: \(try measure(seconds: seconds) { try RequestMessage(ttlv: bytes).batchItems.count }) msgs/s")
            print("tree-to-typed: \(try measure(seconds: seconds) { try RequestMessage(tree: message).batchItems.count }) msgs/s")
            print("typed-to-tree: \(try measure(seconds: seconds) { try typed.tree().itemCount }) msgs/s")
            print("typed-encode: \(try measure(seconds: seconds) { try typed.ttlvBytes().count }) msgs/s")
        case .responseMessage:
            let typed = try ResponseMessage(ttlv: bytes)
            print("typed-decode: \(try measure(seconds: seconds) { try ResponseMessage(ttlv: bytes).batchItems.count }) msgs/s")
            print("tree-to-typed: \(try measure(seconds: seconds) { try ResponseMessage(tree: message).batchItems.count }) msgs/s")
            print("typed-to-tree: \(try measure(seconds: seconds) { try typed.tree().itemCount }) msgs/s")
            print("typed-encode: \(try measure(seconds: seconds) { try typed.ttlvBytes().count }) msgs/s")
        default:
            throw ToolError("--typed needs a Request or Response Message, not \(message.tag)")
        }
    }
}

/// Runs `body` for a warm-up and then for `seconds`; returns whole iterations per second.
func measure(seconds: Double, _ body: () throws -> Int) throws -> Int {
    let clock = ContinuousClock()
    var sink = 0
    func run(for duration: Duration) throws -> (iterations: Int, elapsed: Duration) {
        let start = clock.now
        var iterations = 0
        var elapsed: Duration = .zero
        repeat {
            for _ in 0..<256 { sink &+= try body() }
            iterations += 256
            elapsed = clock.now - start
        } while elapsed < duration
        return (iterations, elapsed)
    }
    _ = try run(for: .milliseconds(Int(seconds * 100)))
    let (iterations, elapsed) = try run(for: .milliseconds(Int(seconds * 1000)))
    blackHole(sink)
    let elapsedSeconds = Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) / 1e18
    return Int((Double(iterations) / elapsedSeconds).rounded())
}

@inline(never)
func blackHole(_ value: Int) {
    if value == .min { print("") }
}
