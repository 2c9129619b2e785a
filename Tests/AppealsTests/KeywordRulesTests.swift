import AqylCore
import Testing
@testable import Appeals

@Suite struct KeywordRulesTests {
    let rules = KeywordRules()

    func topics(_ s: String) -> Set<RiskTopic> { Set(rules.matches(s).map(\.topic)) }

    @Test func russianCorruptionAndBullying() {
        #expect(topics("Инспектор потребовал ВЗЯТКУ за то, чтобы не оформлять протокол") == [.corruption])
        #expect(topics("Чиновник акимата берёт откаты за участки") == [.corruption])
        #expect(topics("В школе одноклассники издеваются над моим сыном, травля длится месяц") == [.bullying])
        #expect(topics("Обычная жалоба на яму на дороге").isEmpty)
    }

    @Test func kazakhCyrillicAndLatin() {
        #expect(topics("Учаскелік инспектор пара сұрады") == [.corruption])
        #expect(topics("Әкімдіктегі жемқорлық туралы") == [.corruption])
        #expect(topics("Сыныптастары баламды мазақтап, қорлайды") == [.bullying])
        // Latin-script Kazakh (2018 and 2021 alphabets) is transliterated before matching.
        #expect(topics("Inspektor para berdi dep aıtty") == [.corruption])
        #expect(topics("jemqorlyq turaly aryz") == [.corruption])
        #expect(topics("Balamdy synyptastary mazaqtaıdy") == [.bullying])
        #expect(topics("Balamdı qorlaydı, ätkeşekte") == [.bullying])
    }

    @Test func russianPairIsNotABribe() {
        // Russian "пара" means "a pair": alone it never fires; the Kazakh rule needs a verb stem after it.
        #expect(topics("Прошла пара дней, ответа нет").isEmpty)
        #expect(topics("пара ботинок").isEmpty)
    }

    @Test func triageCombinesCategoryAndRules() {
        let t = AppealTriage(classifier: nil)
        let r = t.run(text: "Муж избивает, участковый требует взятку", category: .domesticViolence)
        #expect(r.topics == [.violence, .corruption])
        #expect(r.outcome == "flag_risk")
        #expect(r.modelName == "appeals-keyword-rules")
        let calm = t.run(text: "Не работает светофор", category: .trafficViolation)
        #expect(calm.topics.isEmpty && calm.outcome == "no_risk" && calm.score == 1)
    }

    @Test func modelLabelsMapOntoTheTaxonomy() {
        #expect(RiskTopic.topics(forModelLabel: "offline_crime") == [.violence])
        #expect(RiskTopic.topics(forModelLabel: "slavery") == [.trafficking])
        #expect(RiskTopic.topics(forModelLabel: "suicide") == [.suicideRisk, .threatToLife])
        #expect(RiskTopic.topics(forModelLabel: "politics").isEmpty)
        #expect(RiskTopic.topics(forModelLabel: "corruption") == [.corruption])
        // Every one of the 18 source labels is mapped (possibly to nothing) on purpose.
        #expect(RiskTopic.modelLabelMap.count == 18)
    }

    @Test func locatorIsApproximateButStable() {
        let l = DistrictLocator()
        #expect(l.district(lat: 51.10, lon: 71.42)?.kato == "711210000")  // Esil, Astana
        #expect(l.district(lat: 43.25, lon: 76.91)?.kato == "751110000")  // Almaly, Almaty
        #expect(l.district(lat: 42.32, lon: 69.60)?.kato == "791310000")  // Al-Farabi, Shymkent
        #expect(l.district(lat: 52.94, lon: 70.20)?.kato == "117000000")  // Burabay
        #expect(l.district(lat: 47.10, lon: 51.90) == nil)  // Atyrau: not covered
        #expect(abs(DistrictLocator.distanceKm(51.10, 71.42, 51.10, 71.43) - 0.698) < 0.01)
    }
}
