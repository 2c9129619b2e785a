@testable import AntiFraud
import Foundation
import Testing

@Suite("Graph intake: AMLSim and the native feed, bad rows reported with file, line and column")
struct IntakeTests {
    @Test func amlsimReadsLabelsAndNeverFraudStep() throws {
        let dir = try Fixtures.folder([
            "nodes.csv": "nodeid,isFraud,init_balance,fraudStep\n0,0,100.5,-1\n1,1,200,7\n2,0,,-1\n",
            "transactions.csv": "sourceNodeId,targetNodeId,value,time\n0,1,10.5,1\n1,2,9.5,2\n",
        ])
        let lg = try GraphIntake.load(dir)
        #expect(lg.graph.layout == .amlsim)
        #expect(lg.graph.accountCount == 3 && lg.graph.transferCount == 2)
        #expect(lg.labels == [0, 1, 0])
        #expect(lg.graph.initialBalance[0] == 100.5 && lg.graph.initialBalance[2].isNaN)
        #expect(lg.graph.time == [86400, 172800])
        #expect(lg.intake.issueCount == 0)
        #expect(lg.intake.notes.contains { $0.contains("fraudStep") && $0.contains("never read") })
        #expect(lg.graph.transferName(1) == "tx3" && lg.graph.transferIndex(named: "tx3") == 1)
        // No feature can be derived from the label columns.
        #expect(!DropperFeatures.names.contains { $0.lowercased().contains("fraud") || $0.lowercased().contains("label") })
    }

    @Test func amlsimWithoutLabelColumnsScoresWithoutLabels() throws {
        let dir = try Fixtures.folder([
            "nodes.csv": "nodeid,init_balance\n0,1\n1,2\n",
            "transactions.csv": "sourceNodeId,targetNodeId,value,time\n0,1,5,1\n",
        ])
        let lg = try GraphIntake.load(dir)
        #expect(lg.labels == nil)
        #expect(lg.graph.transferCount == 1)
    }

    @Test func amlsimBadRowsAreReportedNotGuessed() throws {
        let dir = try Fixtures.folder([
            "nodes.csv": "nodeid,isFraud,init_balance\n0,0,1\n1,maybe,2\n2,0,x\n0,1,3\n3,0,4,5\n4,1,5\n",
            "transactions.csv": """
                sourceNodeId,targetNodeId,value,time
                0,4,10,1
                0,1,10,1
                0,9,10,1
                0,4,-3,1
                0,4,abc,1
                0,4,10,soon
                0,4,10

                """,
        ])
        let lg = try GraphIntake.load(dir)
        let issues = lg.intake.issues.map(\.description)
        #expect(lg.graph.accountCount == 2)  // 0 and 4
        #expect(lg.intake.accountsRejected == 4)
        #expect(issues.contains { $0.contains("nodes.csv:3: column 'isFraud'") && $0.contains("'maybe'") })
        #expect(issues.contains { $0.contains("nodes.csv:4: column 'init_balance'") })
        #expect(issues.contains { $0.contains("nodes.csv:5: column 'nodeid'") && $0.contains("twice") })
        #expect(issues.contains { $0.contains("nodes.csv:6:") && $0.contains("expected 3 fields, found 4") })
        #expect(lg.graph.transferCount == 1)
        #expect(lg.intake.transfersRejected == 6)
        #expect(issues.contains { $0.contains("transactions.csv:3: column 'targetNodeId'") && $0.contains("unknown account '1'") })
        #expect(issues.contains { $0.contains("transactions.csv:4: column 'targetNodeId'") && $0.contains("'9'") })
        #expect(issues.contains { $0.contains("transactions.csv:5: column 'value'") && $0.contains("greater than zero") })
        #expect(issues.contains { $0.contains("transactions.csv:6: column 'value'") && $0.contains("not a number") })
        #expect(issues.contains { $0.contains("transactions.csv:7: column 'time'") })
        #expect(issues.contains { $0.contains("transactions.csv:8:") && $0.contains("expected 4 fields, found 3") })
    }

    @Test func missingColumnOrFileStopsWithItsName() throws {
        let dir = try Fixtures.folder([
            "nodes.csv": "nodeid,isFraud\n0,0\n",
            "transactions.csv": "sourceNodeId,value,time\n0,1,1\n",
        ])
        #expect { try GraphIntake.load(dir) } throws: { e in
            "\(e)".contains("transactions.csv:1: column 'targetNodeId'") && "\(e)".contains("missing")
        }
        let empty = try Fixtures.folder(["readme.txt": "nothing"])
        #expect { try GraphIntake.load(empty) } throws: { e in "\(e)".contains("neither") }
        #expect { try GraphIntake.load(empty + "/nope") } throws: { e in "\(e)".contains("no such file") }
    }

    /// Strict reading (issue 13): a quoting error is not guessed around; the file stops with its line and column.
    @Test func malformedCSVRecordStopsTheFileWithItsLineAndColumn() throws {
        let dir = try Fixtures.folder([
            "nodes.csv": "nodeid,isFraud\n0,0\n1,0\n",
            "transactions.csv": "sourceNodeId,targetNodeId,value,time\n0,1,5,1\n\"0\"x,1,5,1\n1,0,6,2\n",
        ])
        #expect { try GraphIntake.load(dir) } throws: { e in
            "\(e)".contains("transactions.csv:3: column 'sourceNodeId'") && "\(e)".contains("closing quote")
        }
    }

    @Test func nativeCSVFeedWithChannelsCurrenciesAndBanks() throws {
        let dir = try Fixtures.folder([
            "accounts.csv": "account,owner,bank,opened\nKZ1,P1,CASPKZKA,2024-05-01\nKZ2,P2,HSBKKZKX,2024-06-01T10:00:00+05:00\nEX1,P3,TINKRUMM,\n",
            "transfers.csv": """
                id,from,to,amount,currency,time,channel
                t1,KZ1,KZ2,15000,KZT,2025-01-02T10:00:00+05:00,card_transfer
                t2,KZ2,EX1,14000.50,kzt,1735801200,swift
                t3,KZ2,KZ1,100,KZT,2025-01-02T10:00:00,transfer
                t4,KZ2,KZ1,100,KZT,2025-01-03T10:00:00Z,teleport
                t5,KZ2,KZ1,100,TENGE,2025-01-03T10:00:00Z,atm
                t1,KZ2,KZ1,5,KZT,2025-01-04T10:00:00Z,atm

                """,
        ])
        let lg = try GraphIntake.load(dir)
        let g = lg.graph
        #expect(g.layout == .native && g.accountCount == 3 && g.transferCount == 2)
        #expect(g.transferIDs?[0] == "t1" && g.transferIDs?[1] == "t2")
        #expect(g.time[0] == 1_735_794_000)  // 10:00 at +05:00 = 05:00Z
        #expect(g.channel == [.transfer, .international])
        #expect(g.currencies[Int(g.currency[1])] == "KZT")
        #expect(g.bankName(ofAccount: 2) == "TINKRUMM")
        #expect(g.opened[2].isNaN && g.opened[0] == 1_714_521_600)
        let issues = lg.intake.issues.map(\.description)
        #expect(issues.contains { $0.contains("transfers.csv:4: column 'time'") && $0.contains("no zone") })
        #expect(issues.contains { $0.contains("transfers.csv:5: column 'channel'") && $0.contains("teleport") })
        #expect(issues.contains { $0.contains("transfers.csv:6: column 'currency'") && $0.contains("TENGE") })
        #expect(issues.contains { $0.contains("transfers.csv:7: column 'id'") && $0.contains("twice") })
        #expect(lg.labels == nil)
    }

    @Test func nativeJSONFeedNamesTheFieldOfEveryBadValue() throws {
        let json = """
            {"accounts": [{"account": "A", "bank": "CASPKZKA", "label": 1}, {"account": "B", "opened": "2024-13-01"},
                          {"account": "C", "label": false}, {"owner": "x"}, {"account": "D", "colour": "red"}],
             "transfers": [{"id": "1", "from": "A", "to": "C", "amount": 500, "time": "2025-01-01T00:00:00Z", "channel": "crypto"},
                           {"id": "2", "from": "A", "to": "C", "amount": "lots", "time": "2025-01-01T00:00:00Z"},
                           {"id": "3", "from": "A", "to": "B", "amount": 5, "time": "2025-01-01T00:00:00Z"},
                           {"id": "4", "from": "C", "to": "A", "time": "2025-01-01T00:00:00Z"},
                           {"id": "1", "from": "C", "to": "A", "amount": 1, "time": 1735689600}]}
            """
        let dir = try Fixtures.folder(["feed.json": json])
        let lg = try GraphIntake.load(dir + "/feed.json")
        #expect(lg.graph.accountCount == 2 && lg.graph.transferCount == 1)
        #expect(lg.labels == [1, 0])
        #expect(lg.graph.channel == [.crypto])
        let issues = lg.intake.issues.map(\.description)
        #expect(issues.contains { $0.contains("field 'accounts[1].opened'") })
        #expect(issues.contains { $0.contains("field 'accounts[3].account'") && $0.contains("required") })
        #expect(issues.contains { $0.contains("field 'accounts[4].colour'") && $0.contains("unknown field") })
        #expect(issues.contains { $0.contains("field 'transfers[1].amount'") && $0.contains("'lots'") })
        #expect(issues.contains { $0.contains("field 'transfers[2].to'") && $0.contains("unknown account 'B'") })
        #expect(issues.contains { $0.contains("field 'transfers[3].amount'") && $0.contains("required") })
        #expect(issues.contains { $0.contains("field 'transfers[4].id'") && $0.contains("twice") })
        let notJSON = try Fixtures.folder(["feed.json": "{not json"])
        #expect { try GraphIntake.load(notJSON + "/feed.json") } throws: { e in "\(e)".contains("not valid JSON") }
    }

    @Test func timesAreParsedStrictly() {
        func t(_ s: String, date: Bool = false) -> Double? { try? FeedValues.parseTime(s, allowDateOnly: date).get() }
        #expect(t("1970-01-01T00:00:00Z") == 0)
        #expect(t("2025-01-01T00:00:00Z") == 1_735_689_600)
        #expect(t("2025-01-01T05:00:00+05:00") == 1_735_689_600)
        #expect(t("2025-01-01 05:00+0500") == 1_735_689_600)
        #expect(t("2024-12-31T23:00:00.5-01:00") == 1_735_689_600.5)
        #expect(t("2024-02-29", date: true) == 1_709_164_800)
        #expect(t("1735689600") == 1_735_689_600)
        #expect(t("2024-02-29") == nil)          // a date alone is not a transfer time
        #expect(t("2023-02-29", date: true) == nil)
        #expect(t("2025-01-01T10:00:00") == nil)  // no zone: refused, not guessed
        #expect(t("2025-01-01T25:00:00Z") == nil)
        #expect(t("yesterday") == nil && t("") == nil)
        #expect(FeedValues.isoTime(1_735_689_600) == "2025-01-01T00:00:00Z")
    }

    @Test func amountsAreParsedStrictly() throws {
        #expect(try FeedValues.parseAmount("1500.25").get() == 1500.25)
        #expect(try FeedValues.parseAmount(" 7 ").get() == 7)
        #expect((try? FeedValues.parseAmount("1,500").get()) == nil)
        #expect((try? FeedValues.parseAmount("0").get()) == nil)
        #expect((try? FeedValues.parseAmount("-5").get()) == nil)
        #expect((try? FeedValues.parseAmount("nan").get()) == nil)
        #expect((try? FeedValues.parseAmount("inf").get()) == nil)
        #expect((try? FeedValues.parseAmount("₸100").get()) == nil)
    }

    @Test func stringColumnIsCompactAndExact() {
        var c = StringColumn(["a", "", "Қазақ", "t-100"])
        c.append("x")
        #expect(c.count == 5 && c[2] == "Қазақ" && c[1] == "" && c[4] == "x")
        #expect(c.firstIndex(of: "t-100") == 3 && c.firstIndex(of: "t-10") == nil)
        var d = StringColumn(["y"])
        d.append(contentsOf: c)
        #expect(d.count == 6 && d[3] == "Қазақ")
    }

    @Test func channelsAndExits() {
        #expect(TransferChannel.parse("ATM") == .cashOut)
        #expect(TransferChannel.parse("SWIFT") == .international)
        #expect(TransferChannel.parse("crypto_exchange") == .crypto)
        #expect(TransferChannel.parse("p2p") == .transfer)
        #expect(TransferChannel.parse("teleport") == nil)
        #expect(TransferChannel.allCases.filter(\.isExit) == [.cashOut, .crypto, .international])
    }
}
