import type { ChallengeMessages, CodeMessages, ErrorMessages, EnrollMessages, RecoveryCodesMessages } from './en.ts';

/** Français */
export const errors: ErrorMessages = {
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

export const code: CodeMessages = {
  sendsLeft: { one: '{count} renvoi restant', other: '{count} renvois restants' },
  codeLabel: 'Code de vérification',
  codeSentTo: 'Nous avons envoyé un code à 6 chiffres au {phone}.',
  codeResent: 'Nous avons renvoyé le code.',
  resend: 'Renvoyer le code',
  resendIn: 'Renvoyer le code dans {time}',
  verify: 'Vérifier',
  loading: 'Chargement…',
};

export const challenge: ChallengeMessages = {
  title: 'Validation en deux étapes',
  totpLabel: 'Code de l’application d’authentification',
  recoveryLabel: 'Code de récupération',
  recoveryHint: 'L’un des codes de récupération que vous avez conservés, comme 6dca-d1dd.',
  trustDevice: 'Faire confiance à cet appareil pendant 30 jours',
  useSms: 'Utiliser un SMS',
  useTotp: 'Utiliser votre application d’authentification',
  useRecovery: 'Utiliser un code de récupération',
  sendLimitReached: 'Plus aucun code ne peut être envoyé pour cette connexion. Utilisez le dernier ou un code de récupération.',
  expiredTitle: 'Cette connexion a expiré',
  startOver: 'Recommencer',
  verified: 'Vérifié. Connexion en cours…',
  delivery: {
    opted_out: 'Ce numéro a répondu STOP. Envoyez-lui START, ou utilisez un code de récupération.',
    invalid_number: 'Ce numéro ne peut pas recevoir de SMS. Utilisez un code de récupération.',
    failed: 'Le SMS n’a pas pu être distribué. Renvoyez le code ou utilisez un code de récupération.',
  },
};

export const enroll: EnrollMessages = {
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
  invalidPhone: 'Saisissez un numéro de mobile valide pour le pays choisi.',
  changeNumber: 'Utiliser un autre numéro',
  done: 'La vérification par SMS est activée.',
  delivery: {
    opted_out: 'Ce numéro a répondu STOP. Envoyez-lui START puis renvoyez le code, ou utilisez un autre numéro.',
    failed: 'Le SMS n’a pas pu être distribué. Renvoyez le code ou utilisez un autre numéro.',
  },
};

export const recoveryCodes: RecoveryCodesMessages = {
  recoveryTitle: 'Conservez vos codes de récupération',
  recoveryIntro: 'Chaque code permet une connexion si vous ne recevez pas de SMS. Gardez-les en lieu sûr : ils ne seront plus affichés.',
  copy: 'Tout copier',
  copied: 'Codes copiés dans le presse-papiers.',
  copyFailed: 'La copie a échoué. Sélectionnez les codes et copiez-les vous-même.',
  download: 'Télécharger le .txt',
  print: 'Imprimer',
  acknowledge: 'J’ai conservé ces codes',
  saved: 'Codes de récupération conservés.',
  fileTitle: 'Codes de récupération {brand}',
  fileNote: 'Chaque code ne sert qu’une fois.',
};
