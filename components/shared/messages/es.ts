/** Español: loaded on demand for `lang="es"`; exactly the keys of English (`./en.ts`). */
import type { ChallengeMessages, CodeMessages, EnrollMessages, ErrorMessages, RecoveryCodesMessages } from './en.ts';

const unavailable = 'La verificación no está disponible en este momento. Inténtalo más tarde.';
const smsUnavailable = 'Los SMS no están disponibles en este momento.';

export const errors: ErrorMessages = {
  errors: {
    VALIDATION_ERROR: 'Revisa los datos e inténtalo de nuevo.',
    UNAUTHORIZED: 'Tu sesión ha terminado. Vuelve a iniciar sesión.',
    INVALID_CREDENTIALS: 'El correo electrónico o la contraseña no son correctos.',
    INVALID_REFRESH_TOKEN: 'Tu sesión ha terminado. Vuelve a iniciar sesión.',
    FORBIDDEN: 'Esta acción no está permitida.',
    mfa_required: 'Completa la verificación en dos pasos para continuar.',
    MFA_PASSWORD_REQUIRED: 'Las cuentas que inician sesión con un proveedor de identidad no pueden añadir códigos por SMS.',
    MFA_FRESH_AUTH_REQUIRED: 'Por tu seguridad, vuelve a completar la verificación en dos pasos para continuar.',
    ORIGIN_NOT_ALLOWED: unavailable,
    TENANT_NOT_FOUND: unavailable,
    TENANT_SUSPENDED: unavailable,
    TENANT_SLUG_TAKEN: unavailable,
    NOT_FOUND: unavailable,
    METHOD_NOT_ALLOWED: unavailable,
    EMAIL_TAKEN: 'Ya existe una cuenta con este correo electrónico.',
    MFA_ALREADY_ENABLED: 'La verificación por SMS ya está activada en tu cuenta.',
    MFA_SETUP_REQUIRED: 'Primero introduce tu número de teléfono.',
    MFA_NOT_ENABLED: 'Este método de verificación no está activado en tu cuenta.',
    MFA_INVALID_CODE: 'El código no es correcto.',
    MFA_CHALLENGE_EXPIRED: 'Este código ha caducado.',
    MFA_DELIVERY_FAILED: 'No pudimos entregar el SMS.',
    PAYLOAD_TOO_LARGE: unavailable,
    UNSUPPORTED_MEDIA_TYPE: unavailable,
    MFA_RATE_LIMITED: 'Se han pedido demasiados códigos.',
    RATE_LIMITED: 'Demasiados intentos.',
    INVALID_SIGNATURE: unavailable,
    INVALID_PAYLOAD: unavailable,
    INTERNAL_ERROR: 'Algo ha fallado. Inténtalo de nuevo.',
    SERVICE_UNAVAILABLE: 'El servicio no está disponible en este momento. Inténtalo de nuevo en unos instantes.',
    NETWORK_ERROR: 'No se puede conectar con el servidor. Revisa tu conexión.',
    CLIENT_NOT_CONFIGURED: unavailable,
  },
  rateLimit: {
    challenge_send_limit: 'No se pueden enviar más códigos en este intento.',
    challenge_attempt_limit: 'Demasiados códigos incorrectos.',
    phone_hourly: 'Se han enviado demasiados códigos a este número.',
    phone_daily: 'Hoy se han enviado demasiados códigos a este número.',
    user_hourly: 'Se han pedido demasiados códigos para tu cuenta.',
    ip_hourly: 'Se han pedido demasiados códigos desde esta red.',
    tenant_daily_budget: smsUnavailable,
    country_not_allowed: 'No se pueden enviar SMS a este país.',
    min_interval: 'Espera un momento antes de pedir otro código.',
    login_attempts: 'Demasiados intentos de inicio de sesión.',
    code_attempts: 'Demasiados códigos incorrectos.',
  },
  genericError: 'Algo ha fallado. Inténtalo de nuevo.',
  tryAgainIn: 'Inténtalo de nuevo en {time}.',
  attemptsLeft: { one: 'Te queda {count} intento.', other: 'Te quedan {count} intentos.' },
};

    user_code_attempts: 'Demasiados códigos incorrectos para esta cuenta.',
    factor_locked: 'Los códigos de esta cuenta están bloqueados tras demasiados intentos incorrectos. Usa un código de recuperación o contacta con soporte.',
    signup_attempts: 'Demasiados intentos de registro desde esta red.',
export const code: CodeMessages = {
  sendsLeft: { one: 'Queda {count} reenvío', other: 'Quedan {count} reenvíos' },
  codeLabel: 'Código de verificación',
  codeSentTo: 'Hemos enviado un código de {digits} dígitos al {phone}.',
  codeResent: 'Hemos vuelto a enviar el código.',
  resend: 'Reenviar código',
  resendIn: 'Reenviar código en {time}',
  verify: 'Verificar',
  loading: 'Cargando…',
};

const challengeFailed = 'No pudimos entregar el SMS. Reenvía el código o usa un código de recuperación.';
const challengeUnavailable = `${smsUnavailable} Usa un código de recuperación o inténtalo más tarde.`;

export const challenge: ChallengeMessages = {
  title: 'Verificación en dos pasos',
  totpLabel: 'Código de la app de autenticación',
  recoveryLabel: 'Código de recuperación',
  recoveryHint: 'Uno de los códigos de recuperación que guardaste, como 6dca-d1dd.',
  trustDevice: 'Confiar en este dispositivo durante {days} días',
  useSms: 'Usar un SMS',
  useTotp: 'Usar tu app de autenticación',
  useRecovery: 'Usar un código de recuperación',
  sendLimitReached: 'No se pueden enviar más códigos. Usa el último o un código de recuperación.',
  expiredTitle: 'Este inicio de sesión ha caducado',
  startOver: 'Empezar de nuevo',
  verified: 'Verificado.',
  delivery: {
    failed: challengeFailed,
    opted_out: 'Este número respondió STOP. Responde START a ese número o usa un código de recuperación.',
    invalid_number: 'Este número no puede recibir SMS. Usa un código de recuperación.',
    sender_daily_limit: challengeUnavailable,
    provider_unavailable: challengeFailed,
    provider_auth_failed: challengeUnavailable,
    provider_rejected: challengeFailed,
    provider_not_configured: challengeUnavailable,
    tenant_suspended: challengeUnavailable,
    sender_not_configured: challengeUnavailable,
    challenge_expired: 'El código no se envió porque este inicio de sesión caducó. Empieza de nuevo.',
    challenge_completed: 'El código no se envió porque este inicio de sesión ya se completó.',
    delivery_failed: challengeFailed,
    sending_failed: challengeFailed,
    delivery_unconfirmed: challengeFailed,
  },
};

const enrollFailed = 'No pudimos entregar el SMS. Reenvía el código o usa otro número.';
const enrollUnavailable = `${smsUnavailable} Inténtalo más tarde.`;

export const enroll: EnrollMessages = {
  title: 'Configurar la verificación por SMS',
  countryLabel: 'País',
  phoneLabel: 'Número de móvil',
  sendCode: 'Enviar código',
  invalidPhone: 'Introduce un número de móvil válido.',
  changeNumber: 'Usar otro número',
  done: 'La verificación por SMS está activada.',
  delivery: {
    failed: enrollFailed,
    opted_out: 'Este número respondió STOP. Responde START a ese número y reenvía el código, o usa otro número.',
    invalid_number: 'Este número no puede recibir SMS. Usa otro número.',
    sender_daily_limit: enrollUnavailable,
    provider_unavailable: enrollFailed,
    provider_auth_failed: enrollUnavailable,
    provider_rejected: enrollFailed,
    provider_not_configured: enrollUnavailable,
    tenant_suspended: enrollUnavailable,
    sender_not_configured: enrollUnavailable,
    challenge_expired: 'El código no se envió porque la configuración caducó. Pide un código nuevo.',
    challenge_completed: 'El código no se envió porque este número ya está verificado.',
    delivery_failed: enrollFailed,
    sending_failed: enrollFailed,
    delivery_unconfirmed: enrollFailed,
  },
};

export const recoveryCodes: RecoveryCodesMessages = {
  recoveryTitle: 'Guarda tus códigos de recuperación',
  recoveryIntro: 'Cada código te permite entrar una vez si no recibes un SMS. No se volverán a mostrar.',
  copy: 'Copiar todos',
  copied: 'Códigos copiados al portapapeles.',
  copyFailed: 'No se pudo copiar: selecciona los códigos y cópialos.',
  download: 'Descargar .txt',
  print: 'Imprimir',
  acknowledge: 'He guardado estos códigos',
  saved: 'Códigos de recuperación guardados.',
  fileTitle: 'Códigos de recuperación de {brand}',
  fileNote: 'Cada código sirve una vez.',
};
