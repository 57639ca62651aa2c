/**
 * SMS enrollment (its `disclosure` is the opt-in text carriers require: not overridable).
 * English is the reference: every language has exactly its keys (the compiler checks).
 */
export const en = {
  errors: {
    UNAUTHORIZED: 'Your session has ended. Sign in again.',
    MFA_PASSWORD_REQUIRED: 'Accounts that sign in with an identity provider cannot add text message codes.',
    MFA_ALREADY_ENABLED: 'Text message verification is already on for your account.',
    MFA_SETUP_REQUIRED: 'Enter your phone number first.',
  },
  rateLimit: {
    challenge_send_limit: 'No more codes can be sent for this attempt.',
    country_not_allowed: 'Text messages cannot be sent to this country.',
  },
  title: 'Set up text message verification',
  countryLabel: 'Country',
  phoneLabel: 'Mobile phone number',
  /** The opt-in disclosure carriers require, shown beside the phone field. Not overridable. */
  disclosure:
    'Verification codes are sent by Aldero, our authentication provider, on behalf of {brand}. Message frequency varies. Message and data rates may apply. Reply STOP to opt out, HELP for help.',
  sendCode: 'Send code',
  invalidPhone: 'Enter a valid mobile number.',
  changeNumber: 'Use a different number',
  done: 'Text message verification is on.',
  delivery: {
    opted_out: 'This number replied STOP. Reply START to it, then resend the code, or use a different number.',
    failed: 'We could not deliver the text message. Resend the code, or use a different number.',
  },
};

export type EnrollMessages = typeof en;

/** Español */
export const es: EnrollMessages = {
  errors: {
    UNAUTHORIZED: 'Tu sesión ha terminado. Vuelve a iniciar sesión.',
    MFA_PASSWORD_REQUIRED: 'Las cuentas que inician sesión con un proveedor de identidad no pueden añadir códigos por SMS.',
    MFA_ALREADY_ENABLED: 'La verificación por SMS ya está activada en tu cuenta.',
    MFA_SETUP_REQUIRED: 'Primero introduce tu número de teléfono.',
  },
  rateLimit: {
    challenge_send_limit: 'No se pueden enviar más códigos en este intento.',
    country_not_allowed: 'No se pueden enviar SMS a este país.',
  },
  title: 'Configurar la verificación por SMS',
  countryLabel: 'País',
  phoneLabel: 'Número de móvil',
  disclosure:
    'Aldero, nuestro proveedor de autenticación, envía los códigos de verificación en nombre de {brand}. La frecuencia de los mensajes varía. Pueden aplicarse tarifas de mensajes y datos. Responde STOP para darte de baja y HELP para obtener ayuda.',
  sendCode: 'Enviar código',
  invalidPhone: 'Introduce un número de móvil válido.',
  changeNumber: 'Usar otro número',
  done: 'La verificación por SMS está activada.',
  delivery: {
    opted_out: 'Este número respondió STOP. Responde START a ese número y reenvía el código, o usa otro número.',
    failed: 'No pudimos entregar el SMS. Reenvía el código o usa otro número.',
  },
};

/** Français */
export const fr: EnrollMessages = {
  errors: {
    UNAUTHORIZED: 'Votre session a expiré. Reconnectez-vous.',
    MFA_PASSWORD_REQUIRED: 'Les comptes connectés via un fournisseur d’identité ne peuvent pas ajouter de codes par SMS.',
    MFA_ALREADY_ENABLED: 'La vérification par SMS est déjà activée sur votre compte.',
    MFA_SETUP_REQUIRED: 'Saisissez d’abord votre numéro de téléphone.',
  },
  rateLimit: {
    challenge_send_limit: 'Plus aucun code ne peut être envoyé pour cette tentative.',
    country_not_allowed: 'Les SMS ne peuvent pas être envoyés vers ce pays.',
  },
  title: 'Configurer la vérification par SMS',
  countryLabel: 'Pays',
  phoneLabel: 'Numéro de mobile',
  disclosure:
    'Les codes de vérification sont envoyés par Aldero, notre fournisseur d’authentification, pour le compte de {brand}. La fréquence des messages varie. Des frais de messagerie et de données peuvent s’appliquer. Répondez STOP pour vous désinscrire, HELP pour obtenir de l’aide.',
  sendCode: 'Envoyer le code',
  invalidPhone: 'Saisissez un numéro de mobile valide.',
  changeNumber: 'Utiliser un autre numéro',
  done: 'La vérification par SMS est activée.',
  delivery: {
    opted_out: 'Ce numéro a répondu STOP. Envoyez-lui START puis renvoyez le code, ou utilisez un autre numéro.',
    failed: 'Le SMS n’a pas pu être distribué. Renvoyez le code ou utilisez un autre numéro.',
  },
};

/** Deutsch */
export const de: EnrollMessages = {
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
  invalidPhone: 'Geben Sie eine gültige Mobilnummer ein.',
  changeNumber: 'Andere Nummer verwenden',
  done: 'Die SMS-Bestätigung ist aktiviert.',
  delivery: {
    opted_out:
      'Diese Nummer hat mit STOP geantwortet. Senden Sie START an sie und fordern Sie den Code erneut an, oder verwenden Sie eine andere Nummer.',
    failed: 'Die SMS konnte nicht zugestellt werden. Senden Sie den Code erneut oder verwenden Sie eine andere Nummer.',
  },
};
