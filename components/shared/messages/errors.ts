/**
 * Server error codes (and rate-limit reasons) as messages: enrollment and challenge.
 * English is the reference: every language has exactly its keys (the compiler checks).
 */
export const en = {
  errors: {
    VALIDATION_ERROR: 'Check what you entered and try again.',
    MFA_INVALID_CODE: 'That code is incorrect.',
    MFA_CHALLENGE_EXPIRED: 'This code has expired.',
    MFA_RATE_LIMITED: 'Too many codes were requested.',
    NETWORK_ERROR: 'Cannot reach the server. Check your connection and try again.',
  },
  /** `MFA_RATE_LIMITED` by its `reason`. */
  rateLimit: {
    challenge_attempt_limit: 'Too many incorrect codes.',
    tenant_daily_budget: 'Text messages are unavailable right now.',
  },
  genericError: 'Something went wrong. Try again.',
  tryAgainIn: 'Try again in {time}.',
  attemptsLeft: { one: '{count} attempt left.', other: '{count} attempts left.' },
};

export type ErrorMessages = typeof en;

/** Español */
export const es: ErrorMessages = {
  errors: {
    VALIDATION_ERROR: 'Revisa los datos e inténtalo de nuevo.',
    MFA_INVALID_CODE: 'El código no es correcto.',
    MFA_CHALLENGE_EXPIRED: 'Este código ha caducado.',
    MFA_RATE_LIMITED: 'Se han pedido demasiados códigos.',
    NETWORK_ERROR: 'No se puede conectar con el servidor. Revisa tu conexión.',
  },
  rateLimit: {
    challenge_attempt_limit: 'Demasiados códigos incorrectos.',
    tenant_daily_budget: 'Los SMS no están disponibles en este momento.',
  },
  genericError: 'Algo ha fallado. Inténtalo de nuevo.',
  tryAgainIn: 'Inténtalo de nuevo en {time}.',
  attemptsLeft: { one: 'Te queda {count} intento.', other: 'Te quedan {count} intentos.' },
};

/** Français */
export const fr: ErrorMessages = {
  errors: {
    VALIDATION_ERROR: 'Vérifiez votre saisie et réessayez.',
    MFA_INVALID_CODE: 'Ce code est incorrect.',
    MFA_CHALLENGE_EXPIRED: 'Ce code a expiré.',
    MFA_RATE_LIMITED: 'Trop de codes ont été demandés.',
    NETWORK_ERROR: 'Serveur injoignable. Vérifiez votre connexion.',
  },
  rateLimit: {
    challenge_attempt_limit: 'Trop de codes incorrects.',
    tenant_daily_budget: 'Les SMS sont indisponibles pour le moment.',
  },
  genericError: 'Un problème est survenu. Réessayez.',
  tryAgainIn: 'Réessayez dans {time}.',
  attemptsLeft: { one: 'Il reste {count} tentative.', other: 'Il reste {count} tentatives.' },
};

/** Deutsch */
export const de: ErrorMessages = {
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
