-- Claim rules are versioned rulesets like accrual's (issue 22): one table of versions, each of one
-- kind. A claim is judged by the claims ruleset in force when it was submitted, and keeps the id.
ALTER TABLE rulesets ADD COLUMN kind text NOT NULL DEFAULT 'accrual' CHECK (kind IN ('accrual', 'claims'));
ALTER TABLE rulesets ALTER COLUMN kind DROP DEFAULT;
-- A name belongs to one kind (the publisher refuses another kind's name), so (name, version) stays unique;
-- two adopted versions of one kind cannot take effect at the same instant.
DROP INDEX rulesets_adopted_effective_from_key;
CREATE UNIQUE INDEX rulesets_adopted_effective_from_key ON rulesets (kind, effective_from) WHERE adopted;

-- The rules of the 2019 programme as the claim checks used them when they were written in code
-- (src/claims/rules.ts keeps the same values as CLASSIC_2019_CLAIM_RULES, a test compares them).
INSERT INTO rulesets (kind, name, version, effective_from, adopted, params) VALUES ('claims', 'claims-classic-2019', 1, '2018-01-01T00:00:00+08:00', true,
  '{"perClaimCapFen": 20000, "maxVisitAgeDays": 30,
    "eligibleGrades": ["3A", "3B", "3C", "2A", "2B", "2C"], "eligibleOwnership": ["public"],
    "coveredCategories": ["registration", "consultation", "western_medicine", "chinese_patent_medicine", "chinese_herbal_medicine", "examination", "laboratory", "treatment"],
    "exclusions": [
      {"reason": "dental", "zh": "口腔牙科", "en": "dental care", "hospitalTypes": ["dental"], "keywords": ["牙", "口腔", "齿", "正畸", "龋", "根管", "洁治"]},
      {"reason": "obstetrics", "zh": "产科与分娩", "en": "obstetrics and childbirth", "hospitalTypes": ["maternity"],
       "keywords": ["产科", "妇产", "分娩", "孕", "产检", "产前", "产后", "剖宫", "顺产", "引产", "流产", "助产", "催产", "胎"]},
      {"reason": "cosmetic", "zh": "美容整形", "en": "cosmetic care", "hospitalTypes": ["cosmetic"],
       "keywords": ["美容", "整形", "医美", "祛斑", "除皱", "玻尿酸", "肉毒", "脱毛", "双眼皮", "隆鼻", "吸脂", "抽脂", "植发"]},
      {"reason": "health_products", "zh": "保健品", "en": "health products", "hospitalTypes": [], "keywords": ["保健品", "保健食品", "营养品", "滋补品", "膳食补充"]},
      {"reason": "fight_or_alcohol", "zh": "斗殴或醉酒致伤", "en": "injuries from fights or drinking", "hospitalTypes": [], "keywords": ["斗殴", "打架", "互殴", "醉酒", "酗酒", "酒精中毒", "酒后"]}
    ],
    "selfPayInsuranceTypes": ["自费", "非医保"], "minConfidence": 0.9, "wrongPatientMinDistance": 2, "nearDuplicateMaxDistance": 6}');

ALTER TABLE claims ADD COLUMN ruleset_id bigint REFERENCES rulesets (ruleset_id);
