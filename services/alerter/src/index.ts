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
export { systemClock, type Clock } from './clock.js';
export { silentLog, type AlerterLog } from './log.js';
export { AlerterMetrics } from './ops/alerter-metrics.js';
export { EmailNotifier, type OutgoingMail } from './notify/email/email-notifier.js';
export type { EmailSettings } from './notify/email/email-settings.js';
export { SendError } from './notify/email/send-error.js';
export { enqueueMail, type QueuedMail } from './outbox/enqueue-mail.js';
export { mailMessageId } from './outbox/mail-message-id.js';
export { OutboxSender, type MailSender, type OutboxSenderOptions } from './outbox/outbox-sender.js';
