/** Deutsch: bei Bedarf für `lang="de"` geladen; genau die Schlüssel des Englischen (`./en.ts`). */
import type { ChallengeMessages, CodeMessages, EnrollMessages, ErrorMessages, RecoveryCodesMessages } from './en.ts';

const unavailable = 'Die Bestätigung ist derzeit nicht verfügbar. Versuchen Sie es später erneut.';
const smsUnavailable = 'SMS sind derzeit nicht verfügbar.';

export const errors: ErrorMessages = {
  errors: {
    VALIDATION_ERROR: 'Prüfen Sie Ihre Eingabe und versuchen Sie es erneut.',
    UNAUTHORIZED: 'Ihre Sitzung ist abgelaufen. Melden Sie sich erneut an.',
    INVALID_CREDENTIALS: 'E-Mail-Adresse oder Passwort ist falsch.',
    INVALID_REFRESH_TOKEN: 'Ihre Sitzung ist abgelaufen. Melden Sie sich erneut an.',
    FORBIDDEN: 'Diese Aktion ist nicht erlaubt.',
    mfa_required: 'Schließen Sie die Bestätigung in zwei Schritten ab, um fortzufahren.',
    MFA_PASSWORD_REQUIRED: 'Konten mit Anmeldung über einen Identitätsanbieter können keine SMS-Codes hinzufügen.',
    MFA_FRESH_AUTH_REQUIRED: 'Bestätigen Sie zu Ihrer Sicherheit erneut in zwei Schritten, um fortzufahren.',
    ORIGIN_NOT_ALLOWED: unavailable,
    TENANT_NOT_FOUND: unavailable,
    TENANT_SUSPENDED: unavailable,
    TENANT_SLUG_TAKEN: unavailable,
    NOT_FOUND: unavailable,
    METHOD_NOT_ALLOWED: unavailable,
    EMAIL_TAKEN: 'Mit dieser E-Mail-Adresse gibt es bereits ein Konto.',
    MFA_ALREADY_ENABLED: 'Die SMS-Bestätigung ist für Ihr Konto bereits aktiviert.',
    MFA_SETUP_REQUIRED: 'Geben Sie zuerst Ihre Telefonnummer ein.',
    MFA_NOT_ENABLED: 'Diese Bestätigungsmethode ist für Ihr Konto nicht aktiviert.',
    MFA_INVALID_CODE: 'Der Code ist falsch.',
    MFA_CHALLENGE_EXPIRED: 'Dieser Code ist abgelaufen.',
    MFA_DELIVERY_FAILED: 'Die SMS konnte nicht zugestellt werden.',
    PAYLOAD_TOO_LARGE: unavailable,
    UNSUPPORTED_MEDIA_TYPE: unavailable,
    MFA_RATE_LIMITED: 'Es wurden zu viele Codes angefordert.',
    RATE_LIMITED: 'Zu viele Versuche.',
    INVALID_SIGNATURE: unavailable,
    INVALID_PAYLOAD: unavailable,
    INTERNAL_ERROR: 'Etwas ist schiefgelaufen. Versuchen Sie es erneut.',
    SERVICE_UNAVAILABLE: 'Der Dienst ist kurz nicht erreichbar. Versuchen Sie es gleich noch einmal.',
    NETWORK_ERROR: 'Server nicht erreichbar. Prüfen Sie Ihre Verbindung.',
    CLIENT_NOT_CONFIGURED: unavailable,
    CONFIG_TENANT_MISSING: unavailable,
    CONFIG_MFA_TOKEN_MISSING: unavailable,
    CONFIG_ACCESS_TOKEN_MISSING: unavailable,
    CONFIG_ORIGIN_NOT_ALLOWED: unavailable,
    CONFIG_SANDBOX_MISMATCH: unavailable,
    CONFIG_DISCLOSURE_HIDDEN: unavailable,
  },
  rateLimit: {
    challenge_send_limit: 'Für diesen Versuch können keine weiteren Codes gesendet werden.',
    challenge_attempt_limit: 'Zu viele falsche Codes.',
    phone_hourly: 'An diese Nummer wurden zu viele Codes gesendet.',
    phone_daily: 'An diese Nummer wurden heute zu viele Codes gesendet.',
    user_hourly: 'Für Ihr Konto wurden zu viele Codes angefordert.',
    ip_hourly: 'Aus diesem Netzwerk wurden zu viele Codes angefordert.',
    tenant_daily_budget: smsUnavailable,
    country_not_allowed: 'In dieses Land können keine SMS gesendet werden.',
    min_interval: 'Warten Sie einen Moment, bevor Sie einen weiteren Code anfordern.',
    login_attempts: 'Zu viele Anmeldeversuche.',
    code_attempts: 'Zu viele falsche Codes.',
    user_code_attempts: 'Zu viele falsche Codes für dieses Konto.',
    factor_locked: 'Nach zu vielen falschen Codes sind Codes für dieses Konto gesperrt. Verwenden Sie einen Wiederherstellungscode oder wenden Sie sich an den Support.',
    signup_attempts: 'Zu viele Registrierungsversuche aus diesem Netzwerk.',
  },
  genericError: 'Etwas ist schiefgelaufen. Versuchen Sie es erneut.',
  tryAgainIn: 'Versuchen Sie es in {time} erneut.',
  attemptsLeft: { one: 'Noch {count} Versuch.', other: 'Noch {count} Versuche.' },
};

export const code: CodeMessages = {
  sendsLeft: { one: 'Noch {count} erneuter Versand', other: 'Noch {count} erneute Sendungen' },
  codeLabel: 'Bestätigungscode',
  codeSentTo: 'Wir haben einen {digits}-stelligen Code an {phone} gesendet.',
  codeResent: 'Wir haben den Code erneut gesendet.',
  resend: 'Code erneut senden',
  resendIn: 'Code erneut senden in {time}',
  verify: 'Bestätigen',
  loading: 'Wird geladen…',
};

const challengeFailed =
  'Die SMS konnte nicht zugestellt werden. Senden Sie den Code erneut oder verwenden Sie einen Wiederherstellungscode.';
const challengeUnavailable = `${smsUnavailable} Verwenden Sie einen Wiederherstellungscode oder versuchen Sie es später erneut.`;

export const challenge: ChallengeMessages = {
  title: 'Bestätigung in zwei Schritten',
  totpLabel: 'Code aus der Authenticator-App',
  recoveryLabel: 'Wiederherstellungscode',
  recoveryHint: 'Einer Ihrer gespeicherten Wiederherstellungscodes, z. B. 6dca-d1dd.',
  trustDevice: 'Diesem Gerät {days} Tage lang vertrauen',
  trustUnavailable: 'Dieser Browser kann für diese Website nicht gespeichert werden: Beim nächsten Mal fragen wir wieder nach einem Code.',
  useSms: 'Stattdessen eine SMS verwenden',
  useTotp: 'Authenticator-App verwenden',
  useRecovery: 'Wiederherstellungscode verwenden',
  sendLimitReached: 'Es können keine Codes mehr gesendet werden. Verwenden Sie den letzten oder einen Wiederherstellungscode.',
  expiredTitle: 'Diese Anmeldung ist abgelaufen',
  expiredText: 'Codes gelten {minutes} Minuten. Beginnen Sie von vorn, um sich erneut anzumelden und einen neuen Code zu erhalten.',
  attemptsTitle: 'Zu viele falsche Codes',
  attemptsText: 'Zu Ihrer Sicherheit wurde diese Anmeldung nach {attempts} falschen Codes beendet. Beginnen Sie von vorn, um sich erneut anzumelden und einen neuen Code zu erhalten.',
  unknownTitle: 'Diese Anmeldung kann nicht fortgesetzt werden',
  unknownText: 'Diese Anmeldung ist ungültig oder bereits beendet. Beginnen Sie von vorn, um sich erneut anzumelden.',
  startOver: 'Von vorn beginnen',
  verified: 'Bestätigt.',
  delivery: {
    failed: challengeFailed,
    opted_out: 'Diese Nummer hat mit STOP geantwortet. Senden Sie START an sie oder verwenden Sie einen Wiederherstellungscode.',
    invalid_number: 'Diese Nummer kann keine SMS empfangen. Verwenden Sie einen Wiederherstellungscode.',
    sender_daily_limit: challengeUnavailable,
    provider_unavailable: challengeFailed,
    provider_auth_failed: challengeUnavailable,
    provider_rejected: challengeFailed,
    provider_not_configured: challengeUnavailable,
    tenant_suspended: challengeUnavailable,
    sender_not_configured: challengeUnavailable,
    challenge_expired: 'Der Code wurde nicht gesendet, weil diese Anmeldung abgelaufen ist. Beginnen Sie von vorn.',
    challenge_completed: 'Der Code wurde nicht gesendet, weil diese Anmeldung bereits abgeschlossen ist.',
    delivery_failed: challengeFailed,
    sending_failed: challengeFailed,
    delivery_unconfirmed: challengeFailed,
  },
};

const enrollFailed = 'Die SMS konnte nicht zugestellt werden. Senden Sie den Code erneut oder verwenden Sie eine andere Nummer.';
const enrollUnavailable = `${smsUnavailable} Versuchen Sie es später erneut.`;

export const enroll: EnrollMessages = {
  title: 'SMS-Bestätigung einrichten',
  countryLabel: 'Land',
  phoneLabel: 'Mobilnummer',
  sendCode: 'Code senden',
  invalidPhone: 'Geben Sie eine gültige Mobilnummer ein.',
  changeNumber: 'Andere Nummer verwenden',
  done: 'Die SMS-Bestätigung ist aktiviert.',
  delivery: {
    failed: enrollFailed,
    opted_out:
      'Diese Nummer hat mit STOP geantwortet. Senden Sie START an sie und fordern Sie den Code erneut an, oder verwenden Sie eine andere Nummer.',
    invalid_number: 'Diese Nummer kann keine SMS empfangen. Verwenden Sie eine andere Nummer.',
    sender_daily_limit: enrollUnavailable,
    provider_unavailable: enrollFailed,
    provider_auth_failed: enrollUnavailable,
    provider_rejected: enrollFailed,
    provider_not_configured: enrollUnavailable,
    tenant_suspended: enrollUnavailable,
    sender_not_configured: enrollUnavailable,
    challenge_expired: 'Der Code wurde nicht gesendet, weil die Einrichtung abgelaufen ist. Fordern Sie einen neuen Code an.',
    challenge_completed: 'Der Code wurde nicht gesendet, weil diese Nummer bereits bestätigt ist.',
    delivery_failed: enrollFailed,
    sending_failed: enrollFailed,
    delivery_unconfirmed: enrollFailed,
  },
};

export const recoveryCodes: RecoveryCodesMessages = {
  recoveryTitle: 'Speichern Sie Ihre Wiederherstellungscodes',
  recoveryIntro: 'Jeder Code ermöglicht eine Anmeldung ohne SMS. Die Codes werden nicht erneut angezeigt.',
  copy: 'Alle kopieren',
  copied: 'Codes in die Zwischenablage kopiert.',
  copyFailed: 'Kopieren fehlgeschlagen: Codes markieren und kopieren.',
  download: '.txt herunterladen',
  print: 'Drucken',
  acknowledge: 'Ich habe diese Codes gespeichert',
  saved: 'Wiederherstellungscodes gespeichert.',
  fileTitle: '{brand}-Wiederherstellungscodes',
  fileNote: 'Jeder Code gilt nur einmal.',
};
