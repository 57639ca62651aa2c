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
  noSendsLeft: 'Plus aucun renvoi',
  codeLabel: 'Code de vérification',
  codeSentTo: 'Nous avons envoyé un code à 6 chiffres au {phone}.',
  codeResent: 'Nous avons renvoyé le code.',
  resend: 'Renvoyer le code',
  resendIn: 'Renvoyer le code dans {time}',
  sending: 'Envoi…',
  verify: 'Vérifier',
  verifying: 'Vérification…',
  loading: 'Chargement…',
};

export const challenge: ChallengeMessages = {
  title: 'Validation en deux étapes',
  noCodeSent: 'Nous enverrons un code à 6 chiffres par SMS au {phone}.',
  sendCode: 'M’envoyer un code',
  totpLabel: 'Code de l’application d’authentification',
  totpHint: 'Le code à 6 chiffres de votre application d’authentification.',
  recoveryLabel: 'Code de récupération',
  recoveryHint: 'L’un des codes de récupération que vous avez conservés, comme 6dca-d1dd.',
  trustDevice: 'Faire confiance à cet appareil pendant 30 jours',
  useSms: 'Utiliser un SMS',
  useTotp: 'Utiliser votre application d’authentification',
  useRecovery: 'Utiliser un code de récupération',
  sendLimitReached: 'Plus aucun code ne peut être envoyé pour cette connexion. Utilisez le dernier envoyé ou un code de récupération.',
  expiredTitle: 'Cette connexion a expiré',
  expiredHint: 'Pour votre sécurité, recommencez pour recevoir un nouveau code.',
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
    FORBIDDEN: 'Cette action n’est pas autorisée.',
    MFA_PASSWORD_REQUIRED:
      'Les comptes connectés via un fournisseur d’identité ne peuvent pas ajouter la vérification par SMS : votre fournisseur sécurise votre connexion.',
    MFA_FRESH_AUTH_REQUIRED: 'Confirmez à nouveau votre identité pour continuer.',
    MFA_ALREADY_ENABLED: 'La vérification par SMS est déjà activée sur votre compte.',
    MFA_SETUP_REQUIRED: 'Saisissez d’abord votre numéro de téléphone.',
    MFA_NOT_ENABLED: 'Cette méthode de vérification n’est pas configurée sur votre compte.',
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
  codeHint: 'Saisissez-le ci-dessous pour confirmer ce numéro.',
  done: 'La vérification par SMS est activée. Nous vous enverrons un code à chaque connexion.',
  delivery: {
    opted_out: 'Ce numéro a répondu STOP. Envoyez-lui START puis renvoyez le code, ou utilisez un autre numéro.',
    invalid_number: 'Ce numéro ne peut pas recevoir de SMS. Utilisez un autre numéro.',
    failed: 'Le SMS n’a pas pu être distribué. Renvoyez le code ou utilisez un autre numéro.',
  },
};

export const recoveryCodes: RecoveryCodesMessages = {
  recoveryTitle: 'Conservez vos codes de récupération',
  recoveryIntro:
    'Si vous ne pouvez pas recevoir de SMS, chacun de ces codes vous permet de vous connecter une fois. Gardez-les en lieu sûr : ils ne seront plus affichés.',
  codeListLabel: 'Codes de récupération',
  copy: 'Tout copier',
  copied: 'Codes copiés dans le presse-papiers.',
  copyFailed: 'La copie a échoué. Sélectionnez les codes et copiez-les vous-même.',
  download: 'Télécharger le .txt',
  print: 'Imprimer',
  acknowledge: 'J’ai conservé ces codes',
  saved: 'Vos codes de récupération sont conservés et ne sont plus affichés ici.',
  fileTitle: 'Codes de récupération {brand}',
  fileNote: 'Chaque code permet une seule connexion lorsque vous ne pouvez pas recevoir de SMS.',
};
