/**
 * The login challenge.
 * English is the reference: every language has exactly its keys (the compiler checks).
 */
export const en = {
  title: 'Two-step verification',
  totpLabel: 'Authenticator app code',
  recoveryLabel: 'Recovery code',
  recoveryHint: 'One of the recovery codes you saved, like 6dca-d1dd.',
  trustDevice: 'Trust this device for 30 days',
  useSms: 'Use a text message instead',
  useTotp: 'Use your authenticator app',
  useRecovery: 'Use a recovery code',
  sendLimitReached: 'No more codes can be sent. Use the last one, or a recovery code.',
  expiredTitle: 'This sign-in has expired',
  startOver: 'Start over',
  verified: 'Verified.',
  /** Why the code did not arrive, and the way out. */
  delivery: {
    opted_out: 'This number replied STOP. Reply START to it, or use a recovery code.',
    invalid_number: 'This number cannot receive text messages. Use a recovery code instead.',
    failed: 'We could not deliver the text message. Resend the code, or use a recovery code.',
  },
};

export type ChallengeMessages = typeof en;

/** Español */
export const es: ChallengeMessages = {
  title: 'Verificación en dos pasos',
  totpLabel: 'Código de la app de autenticación',
  recoveryLabel: 'Código de recuperación',
  recoveryHint: 'Uno de los códigos de recuperación que guardaste, como 6dca-d1dd.',
  trustDevice: 'Confiar en este dispositivo durante 30 días',
  useSms: 'Usar un SMS',
  useTotp: 'Usar tu app de autenticación',
  useRecovery: 'Usar un código de recuperación',
  sendLimitReached: 'No se pueden enviar más códigos. Usa el último o un código de recuperación.',
  expiredTitle: 'Este inicio de sesión ha caducado',
  startOver: 'Empezar de nuevo',
  verified: 'Verificado.',
  delivery: {
    opted_out: 'Este número respondió STOP. Responde START a ese número o usa un código de recuperación.',
    invalid_number: 'Este número no puede recibir SMS. Usa un código de recuperación.',
    failed: 'No pudimos entregar el SMS. Reenvía el código o usa un código de recuperación.',
  },
};

/** Français */
export const fr: ChallengeMessages = {
  title: 'Validation en deux étapes',
  totpLabel: 'Code de l’application d’authentification',
  recoveryLabel: 'Code de récupération',
  recoveryHint: 'L’un des codes de récupération que vous avez conservés, comme 6dca-d1dd.',
  trustDevice: 'Faire confiance à cet appareil pendant 30 jours',
  useSms: 'Utiliser un SMS',
  useTotp: 'Utiliser votre application d’authentification',
  useRecovery: 'Utiliser un code de récupération',
  sendLimitReached: 'Plus aucun code ne peut être envoyé. Utilisez le dernier ou un code de récupération.',
  expiredTitle: 'Cette connexion a expiré',
  startOver: 'Recommencer',
  verified: 'Vérifié.',
  delivery: {
    opted_out: 'Ce numéro a répondu STOP. Envoyez-lui START, ou utilisez un code de récupération.',
    invalid_number: 'Ce numéro ne peut pas recevoir de SMS. Utilisez un code de récupération.',
    failed: 'Le SMS n’a pas pu être distribué. Renvoyez le code ou utilisez un code de récupération.',
  },
};

/** Deutsch */
export const de: ChallengeMessages = {
  title: 'Bestätigung in zwei Schritten',
  totpLabel: 'Code aus der Authenticator-App',
  recoveryLabel: 'Wiederherstellungscode',
  recoveryHint: 'Einer Ihrer gespeicherten Wiederherstellungscodes, z. B. 6dca-d1dd.',
  trustDevice: 'Diesem Gerät 30 Tage lang vertrauen',
  useSms: 'Stattdessen eine SMS verwenden',
  useTotp: 'Authenticator-App verwenden',
  useRecovery: 'Wiederherstellungscode verwenden',
  sendLimitReached: 'Es können keine Codes mehr gesendet werden. Verwenden Sie den letzten oder einen Wiederherstellungscode.',
  expiredTitle: 'Diese Anmeldung ist abgelaufen',
  startOver: 'Von vorn beginnen',
  verified: 'Bestätigt.',
  delivery: {
    opted_out: 'Diese Nummer hat mit STOP geantwortet. Senden Sie START an sie oder verwenden Sie einen Wiederherstellungscode.',
    invalid_number: 'Diese Nummer kann keine SMS empfangen. Verwenden Sie einen Wiederherstellungscode.',
    failed: 'Die SMS konnte nicht zugestellt werden. Senden Sie den Code erneut oder verwenden Sie einen Wiederherstellungscode.',
  },
};
