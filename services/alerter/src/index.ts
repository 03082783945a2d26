export { DEFAULT_MAX_RULES_BYTES, parseRules, type ParseRulesOptions, type ParsedRules } from './rules/parse-rules.js';
export { readRules, type ReadRulesOptions } from './rules/read-rules.js';
export { RulesError, formatRulesProblem, type RulesProblem } from './rules/rules-error.js';
export {
  CLIENT_ALERT_TYPES,
  FLEET_ALERT_TYPES,
  type AlertRule,
  type AlertType,
  type Client,
  type ClientAlertType,
  type Fleet,
  type Rules,
  type RulesPosition,
  type RulesWarning,
  type Silence,
} from './rules/rules.js';
