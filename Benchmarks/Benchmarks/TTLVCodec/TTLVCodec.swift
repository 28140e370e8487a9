// Time and allocations of the TTLV codec and the typed models on real PyKMIP messages (the ones
// BENCHMARKS.md names).

import Benchmark
import Foundation
import KMIP
import KMIPTTLV

/// A message from `Vectors/pykmip`, as bytes and as a tree.
struct Message {
    let bytes: [UInt8]
    let tree: KMIPItem

    init(_ name: String) {
        let url = URL(fileURLWithPath: #filePath)
            .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
            .appendingPathComponent("Vectors/pykmip/\(name).hex")
        let text = try! String(contentsOf: url, encoding: .utf8).trimmingCharacters(in: .whitespacesAndNewlines)
        var bytes: [UInt8] = []
        var index = text.startIndex
        while index < text.endIndex {
            let next = text.index(index, offsetBy: 2)
            bytes.append(UInt8(text[index..<next], radix: 16)!)
            index = next
        }
        self.bytes = bytes
        self.tree = try! TTLVDecoder().decode(bytes)
    }
}

let benchmarks: @Sendable () -> Void = {
    Benchmark.defaultConfiguration = .init(
        metrics: [.wallClock, .throughput, .mallocCountTotal],
        scalingFactor: .kilo,
        maxDuration: .seconds(3)
    )
    for (label, name) in [("Get response 280 B", "02-get.response"), ("Create request 376 B", "01-create-aes256.request")] {
        let message = Message(name)
        Benchmark("TTLV decode \(label)") { benchmark in
            let decoder = TTLVDecoder()
            for _ in benchmark.scaledIterations {
                blackHole(try decoder.decode(message.bytes))
            }
        }
        Benchmark("TTLV encode \(label)") { benchmark in
            let encoder = TTLVEncoder()
            for _ in benchmark.scaledIterations {
                blackHole(try encoder.encode(message.tree))
            }
        }
    }
    let get = Message("02-get.response")
    Benchmark("Typed decode Get response 280 B") { benchmark in
        for _ in benchmark.scaledIterations {
            blackHole(try ResponseMessage(ttlv: get.bytes))
        }
    }
    let create = try! RequestMessage(ttlv: Message("01-create-aes256.request").bytes)
    Benchmark("Typed encode Create request 376 B") { benchmark in
        for _ in benchmark.scaledIterations {
            blackHole(try create.ttlvBytes())
        }
    }
}
