import type { ChallengeMessages, CodeMessages, ErrorMessages, EnrollMessages, RecoveryCodesMessages } from './en.ts';

/** Español */
export const errors: ErrorMessages = {
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

export const code: CodeMessages = {
  sendsLeft: { one: 'Queda {count} reenvío', other: 'Quedan {count} reenvíos' },
  codeLabel: 'Código de verificación',
  codeSentTo: 'Hemos enviado un código de 6 dígitos al {phone}.',
  codeResent: 'Hemos vuelto a enviar el código.',
  resend: 'Reenviar código',
  resendIn: 'Reenviar código en {time}',
  verify: 'Verificar',
  loading: 'Cargando…',
};

export const challenge: ChallengeMessages = {
  title: 'Verificación en dos pasos',
  totpLabel: 'Código de la app de autenticación',
  recoveryLabel: 'Código de recuperación',
  recoveryHint: 'Uno de los códigos de recuperación que guardaste, como 6dca-d1dd.',
  trustDevice: 'Confiar en este dispositivo durante 30 días',
  useSms: 'Usar un SMS',
  useTotp: 'Usar tu app de autenticación',
  useRecovery: 'Usar un código de recuperación',
  sendLimitReached: 'No se pueden enviar más códigos en este inicio de sesión. Usa el último o un código de recuperación.',
  expiredTitle: 'Este inicio de sesión ha caducado',
  startOver: 'Empezar de nuevo',
  verified: 'Verificado. Iniciando sesión…',
  delivery: {
    opted_out: 'Este número respondió STOP. Responde START a ese número o usa un código de recuperación.',
    invalid_number: 'Este número no puede recibir SMS. Usa un código de recuperación.',
    failed: 'No pudimos entregar el SMS. Reenvía el código o usa un código de recuperación.',
  },
};

export const enroll: EnrollMessages = {
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
  invalidPhone: 'Introduce un número de móvil válido para el país seleccionado.',
  changeNumber: 'Usar otro número',
  done: 'La verificación por SMS está activada.',
  delivery: {
    opted_out: 'Este número respondió STOP. Responde START a ese número y reenvía el código, o usa otro número.',
    failed: 'No pudimos entregar el SMS. Reenvía el código o usa otro número.',
  },
};

export const recoveryCodes: RecoveryCodesMessages = {
  recoveryTitle: 'Guarda tus códigos de recuperación',
  recoveryIntro: 'Cada código te permite iniciar sesión una vez si no puedes recibir un SMS. Guárdalos bien: no se volverán a mostrar.',
  copy: 'Copiar todos',
  copied: 'Códigos copiados al portapapeles.',
  copyFailed: 'No se pudo copiar. Selecciona los códigos y cópialos tú.',
  download: 'Descargar .txt',
  print: 'Imprimir',
  acknowledge: 'He guardado estos códigos',
  saved: 'Códigos de recuperación guardados.',
  fileTitle: 'Códigos de recuperación de {brand}',
  fileNote: 'Cada código sirve una vez.',
};
