import type { ChallengeMessages, CodeMessages, ErrorMessages, EnrollMessages, RecoveryCodesMessages } from './en.ts';

/** Deutsch */
export const errors: ErrorMessages = {
  errors: {
    VALIDATION_ERROR: 'Prüfen Sie Ihre Eingabe und versuchen Sie es erneut.',
    MFA_INVALID_CODE: 'Der Code ist falsch.',
    MFA_CHALLENGE_EXPIRED: 'Dieser Code ist abgelaufen.',
    MFA_RATE_LIMITED: 'Es wurden zu viele Codes angefordert.',
    NETWORK_ERROR: 'Server nicht erreichbar. Prüfen Sie Ihre Verbindung.',
  },
  rateLimit: {
    challenge_attempt_limit: 'Zu viele falsche Codes.',
    tenant_daily_budget: 'SMS sind derzeit nicht verfügbar.',
  },
  genericError: 'Etwas ist schiefgelaufen. Versuchen Sie es erneut.',
  tryAgainIn: 'Versuchen Sie es in {time} erneut.',
  attemptsLeft: { one: 'Noch {count} Versuch.', other: 'Noch {count} Versuche.' },
};

export const code: CodeMessages = {
  sendsLeft: { one: 'Noch {count} erneuter Versand', other: 'Noch {count} erneute Sendungen' },
  codeLabel: 'Bestätigungscode',
  codeSentTo: 'Wir haben einen 6-stelligen Code an {phone} gesendet.',
  codeResent: 'Wir haben den Code erneut gesendet.',
  resend: 'Code erneut senden',
  resendIn: 'Code erneut senden in {time}',
  verify: 'Bestätigen',
  loading: 'Wird geladen…',
};

export const challenge: ChallengeMessages = {
  title: 'Bestätigung in zwei Schritten',
  totpLabel: 'Code aus der Authenticator-App',
  recoveryLabel: 'Wiederherstellungscode',
  recoveryHint: 'Einer Ihrer gespeicherten Wiederherstellungscodes, z. B. 6dca-d1dd.',
  trustDevice: 'Diesem Gerät 30 Tage lang vertrauen',
  useSms: 'Stattdessen eine SMS verwenden',
  useTotp: 'Authenticator-App verwenden',
  useRecovery: 'Wiederherstellungscode verwenden',
  sendLimitReached: 'Für diese Anmeldung können keine Codes mehr gesendet werden. Verwenden Sie den letzten oder einen Wiederherstellungscode.',
  expiredTitle: 'Diese Anmeldung ist abgelaufen',
  startOver: 'Von vorn beginnen',
  verified: 'Bestätigt. Sie werden angemeldet…',
  delivery: {
    opted_out: 'Diese Nummer hat mit STOP geantwortet. Senden Sie START an sie oder verwenden Sie einen Wiederherstellungscode.',
    invalid_number: 'Diese Nummer kann keine SMS empfangen. Verwenden Sie einen Wiederherstellungscode.',
    failed: 'Die SMS konnte nicht zugestellt werden. Senden Sie den Code erneut oder verwenden Sie einen Wiederherstellungscode.',
  },
};

export const enroll: EnrollMessages = {
  errors: {
    UNAUTHORIZED: 'Ihre Sitzung ist abgelaufen. Melden Sie sich erneut an.',
    MFA_PASSWORD_REQUIRED: 'Konten mit Anmeldung über einen Identitätsanbieter können keine SMS-Codes hinzufügen.',
    MFA_ALREADY_ENABLED: 'Die SMS-Bestätigung ist für Ihr Konto bereits aktiviert.',
    MFA_SETUP_REQUIRED: 'Geben Sie zuerst Ihre Telefonnummer ein.',
  },
  rateLimit: {
    challenge_send_limit: 'Für diesen Versuch können keine weiteren Codes gesendet werden.',
    country_not_allowed: 'In dieses Land können keine SMS gesendet werden.',
  },
  title: 'SMS-Bestätigung einrichten',
  countryLabel: 'Land',
  phoneLabel: 'Mobilnummer',
  disclosure:
    'Bestätigungscodes werden von Aldero, unserem Authentifizierungsanbieter, im Auftrag von {brand} gesendet. Die Häufigkeit der Nachrichten variiert. Es können Gebühren für Nachrichten und Daten anfallen. Antworten Sie STOP zum Abmelden, HELP für Hilfe.',
  sendCode: 'Code senden',
  invalidPhone: 'Geben Sie eine gültige Mobilnummer für das gewählte Land ein.',
  changeNumber: 'Andere Nummer verwenden',
  done: 'Die SMS-Bestätigung ist aktiviert.',
  delivery: {
    opted_out:
      'Diese Nummer hat mit STOP geantwortet. Senden Sie START an sie und fordern Sie den Code erneut an, oder verwenden Sie eine andere Nummer.',
    failed: 'Die SMS konnte nicht zugestellt werden. Senden Sie den Code erneut oder verwenden Sie eine andere Nummer.',
  },
};

export const recoveryCodes: RecoveryCodesMessages = {
  recoveryTitle: 'Speichern Sie Ihre Wiederherstellungscodes',
  recoveryIntro: 'Jeder Code ermöglicht eine Anmeldung, wenn Sie keine SMS erhalten. Bewahren Sie sie sicher auf: Sie werden nicht erneut angezeigt.',
  copy: 'Alle kopieren',
  copied: 'Codes in die Zwischenablage kopiert.',
  copyFailed: 'Kopieren fehlgeschlagen. Markieren und kopieren Sie die Codes selbst.',
  download: '.txt herunterladen',
  print: 'Drucken',
  acknowledge: 'Ich habe diese Codes gespeichert',
  saved: 'Wiederherstellungscodes gespeichert.',
  fileTitle: '{brand}-Wiederherstellungscodes',
  fileNote: 'Jeder Code gilt nur einmal.',
};
