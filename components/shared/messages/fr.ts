/** Français : chargé à la demande pour `lang="fr"` ; exactement les clés de l’anglais (`./en.ts`). */
import type { ChallengeMessages, CodeMessages, EnrollMessages, ErrorMessages, RecoveryCodesMessages } from './en.ts';

const unavailable = 'La vérification n’est pas disponible pour le moment. Réessayez plus tard.';
const smsUnavailable = 'Les SMS sont indisponibles pour le moment.';

export const errors: ErrorMessages = {
  errors: {
    VALIDATION_ERROR: 'Vérifiez votre saisie et réessayez.',
    UNAUTHORIZED: 'Votre session a expiré. Reconnectez-vous.',
    INVALID_CREDENTIALS: 'L’adresse e-mail ou le mot de passe est incorrect.',
    INVALID_REFRESH_TOKEN: 'Votre session a expiré. Reconnectez-vous.',
    FORBIDDEN: 'Cette action n’est pas autorisée.',
    mfa_required: 'Terminez la validation en deux étapes pour continuer.',
    MFA_PASSWORD_REQUIRED: 'Les comptes connectés via un fournisseur d’identité ne peuvent pas ajouter de codes par SMS.',
    MFA_FRESH_AUTH_REQUIRED: 'Pour votre sécurité, refaites la validation en deux étapes pour continuer.',
    ORIGIN_NOT_ALLOWED: unavailable,
    TENANT_NOT_FOUND: unavailable,
    TENANT_SUSPENDED: unavailable,
    TENANT_SLUG_TAKEN: unavailable,
    NOT_FOUND: unavailable,
    METHOD_NOT_ALLOWED: unavailable,
    EMAIL_TAKEN: 'Un compte existe déjà avec cette adresse e-mail.',
    MFA_ALREADY_ENABLED: 'La vérification par SMS est déjà activée sur votre compte.',
    MFA_SETUP_REQUIRED: 'Saisissez d’abord votre numéro de téléphone.',
    MFA_NOT_ENABLED: 'Cette méthode de vérification n’est pas activée sur votre compte.',
    MFA_INVALID_CODE: 'Ce code est incorrect.',
    MFA_CHALLENGE_EXPIRED: 'Ce code a expiré.',
    MFA_DELIVERY_FAILED: 'Le SMS n’a pas pu être distribué.',
    PAYLOAD_TOO_LARGE: unavailable,
    UNSUPPORTED_MEDIA_TYPE: unavailable,
    MFA_RATE_LIMITED: 'Trop de codes ont été demandés.',
    RATE_LIMITED: 'Trop de tentatives.',
    INVALID_SIGNATURE: unavailable,
    INVALID_PAYLOAD: unavailable,
    INTERNAL_ERROR: 'Un problème est survenu. Réessayez.',
    SERVICE_UNAVAILABLE: 'Le service est momentanément indisponible. Réessayez dans un instant.',
    NETWORK_ERROR: 'Serveur injoignable. Vérifiez votre connexion.',
    CLIENT_NOT_CONFIGURED: unavailable,
  },
  rateLimit: {
    challenge_send_limit: 'Plus aucun code ne peut être envoyé pour cette tentative.',
    challenge_attempt_limit: 'Trop de codes incorrects.',
    phone_hourly: 'Trop de codes ont été envoyés à ce numéro.',
    phone_daily: 'Trop de codes ont été envoyés à ce numéro aujourd’hui.',
    user_hourly: 'Trop de codes ont été demandés pour votre compte.',
    ip_hourly: 'Trop de codes ont été demandés depuis ce réseau.',
    tenant_daily_budget: smsUnavailable,
    country_not_allowed: 'Les SMS ne peuvent pas être envoyés vers ce pays.',
    min_interval: 'Patientez un instant avant de demander un autre code.',
    login_attempts: 'Trop de tentatives de connexion.',
    code_attempts: 'Trop de codes incorrects.',
  },
  genericError: 'Un problème est survenu. Réessayez.',
  tryAgainIn: 'Réessayez dans {time}.',
  attemptsLeft: { one: 'Il reste {count} tentative.', other: 'Il reste {count} tentatives.' },
};

    user_code_attempts: 'Trop de codes incorrects pour ce compte.',
    factor_locked: 'Les codes de ce compte sont bloqués après trop d’erreurs. Utilisez un code de récupération ou contactez le support.',
    signup_attempts: 'Trop de tentatives d’inscription depuis ce réseau.',
export const code: CodeMessages = {
  sendsLeft: { one: '{count} renvoi restant', other: '{count} renvois restants' },
  codeLabel: 'Code de vérification',
  codeSentTo: 'Nous avons envoyé un code à {digits} chiffres au {phone}.',
  codeResent: 'Nous avons renvoyé le code.',
  resend: 'Renvoyer le code',
  resendIn: 'Renvoyer le code dans {time}',
  verify: 'Vérifier',
  loading: 'Chargement…',
};

const challengeFailed = 'Le SMS n’a pas pu être distribué. Renvoyez le code ou utilisez un code de récupération.';
const challengeUnavailable = `${smsUnavailable} Utilisez un code de récupération ou réessayez plus tard.`;

export const challenge: ChallengeMessages = {
  title: 'Validation en deux étapes',
  totpLabel: 'Code de l’application d’authentification',
  recoveryLabel: 'Code de récupération',
  recoveryHint: 'L’un des codes de récupération que vous avez conservés, comme 6dca-d1dd.',
  trustDevice: 'Faire confiance à cet appareil pendant {days} jours',
  useSms: 'Utiliser un SMS',
  useTotp: 'Utiliser votre application d’authentification',
  useRecovery: 'Utiliser un code de récupération',
  sendLimitReached: 'Plus aucun code ne peut être envoyé. Utilisez le dernier ou un code de récupération.',
  expiredTitle: 'Cette connexion a expiré',
  startOver: 'Recommencer',
  verified: 'Vérifié.',
  delivery: {
    failed: challengeFailed,
    opted_out: 'Ce numéro a répondu STOP. Envoyez-lui START, ou utilisez un code de récupération.',
    invalid_number: 'Ce numéro ne peut pas recevoir de SMS. Utilisez un code de récupération.',
    sender_daily_limit: challengeUnavailable,
    provider_unavailable: challengeFailed,
    provider_auth_failed: challengeUnavailable,
    provider_rejected: challengeFailed,
    provider_not_configured: challengeUnavailable,
    tenant_suspended: challengeUnavailable,
    sender_not_configured: challengeUnavailable,
    challenge_expired: 'Le code n’a pas été envoyé car cette connexion a expiré. Recommencez.',
    challenge_completed: 'Le code n’a pas été envoyé car cette connexion est déjà terminée.',
    delivery_failed: challengeFailed,
    sending_failed: challengeFailed,
    delivery_unconfirmed: challengeFailed,
  },
};

const enrollFailed = 'Le SMS n’a pas pu être distribué. Renvoyez le code ou utilisez un autre numéro.';
const enrollUnavailable = `${smsUnavailable} Réessayez plus tard.`;

export const enroll: EnrollMessages = {
  title: 'Configurer la vérification par SMS',
  countryLabel: 'Pays',
  phoneLabel: 'Numéro de mobile',
  sendCode: 'Envoyer le code',
  invalidPhone: 'Saisissez un numéro de mobile valide.',
  changeNumber: 'Utiliser un autre numéro',
  done: 'La vérification par SMS est activée.',
  delivery: {
    failed: enrollFailed,
    opted_out: 'Ce numéro a répondu STOP. Envoyez-lui START puis renvoyez le code, ou utilisez un autre numéro.',
    invalid_number: 'Ce numéro ne peut pas recevoir de SMS. Utilisez un autre numéro.',
    sender_daily_limit: enrollUnavailable,
    provider_unavailable: enrollFailed,
    provider_auth_failed: enrollUnavailable,
    provider_rejected: enrollFailed,
    provider_not_configured: enrollUnavailable,
    tenant_suspended: enrollUnavailable,
    sender_not_configured: enrollUnavailable,
    challenge_expired: 'Le code n’a pas été envoyé car la configuration a expiré. Demandez un nouveau code.',
    challenge_completed: 'Le code n’a pas été envoyé car ce numéro est déjà vérifié.',
    delivery_failed: enrollFailed,
    sending_failed: enrollFailed,
    delivery_unconfirmed: enrollFailed,
  },
};

export const recoveryCodes: RecoveryCodesMessages = {
  recoveryTitle: 'Conservez vos codes de récupération',
  recoveryIntro: 'Chaque code permet une connexion si vous ne recevez pas de SMS. Ils ne seront plus affichés.',
  copy: 'Tout copier',
  copied: 'Codes copiés dans le presse-papiers.',
  copyFailed: 'La copie a échoué : sélectionnez les codes et copiez-les.',
  download: 'Télécharger le .txt',
  print: 'Imprimer',
  acknowledge: 'J’ai conservé ces codes',
  saved: 'Codes de récupération conservés.',
  fileTitle: 'Codes de récupération {brand}',
  fileNote: 'Chaque code ne sert qu’une fois.',
};
