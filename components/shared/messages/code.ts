/**
 * The code field, resending and pending states: enrollment and challenge.
 * English is the reference: every language has exactly its keys (the compiler checks).
 */
export const en = {
  sendsLeft: { one: '{count} resend left', other: '{count} resends left' },
  codeLabel: 'Verification code',
  codeSentTo: 'We sent a 6-digit code to {phone}.',
  codeResent: 'We sent the code again.',
  resend: 'Resend code',
  resendIn: 'Resend code in {time}',
  verify: 'Verify',
  loading: 'Loading…',
};

export type CodeMessages = typeof en;

/** Español */
export const es: CodeMessages = {
  sendsLeft: { one: 'Queda {count} reenvío', other: 'Quedan {count} reenvíos' },
  codeLabel: 'Código de verificación',
  codeSentTo: 'Hemos enviado un código de 6 dígitos al {phone}.',
  codeResent: 'Hemos vuelto a enviar el código.',
  resend: 'Reenviar código',
  resendIn: 'Reenviar código en {time}',
  verify: 'Verificar',
  loading: 'Cargando…',
};

/** Français */
export const fr: CodeMessages = {
  sendsLeft: { one: '{count} renvoi restant', other: '{count} renvois restants' },
  codeLabel: 'Code de vérification',
  codeSentTo: 'Nous avons envoyé un code à 6 chiffres au {phone}.',
  codeResent: 'Nous avons renvoyé le code.',
  resend: 'Renvoyer le code',
  resendIn: 'Renvoyer le code dans {time}',
  verify: 'Vérifier',
  loading: 'Chargement…',
};

/** Deutsch */
export const de: CodeMessages = {
  sendsLeft: { one: 'Noch {count} erneuter Versand', other: 'Noch {count} erneute Sendungen' },
  codeLabel: 'Bestätigungscode',
  codeSentTo: 'Wir haben einen 6-stelligen Code an {phone} gesendet.',
  codeResent: 'Wir haben den Code erneut gesendet.',
  resend: 'Code erneut senden',
  resendIn: 'Code erneut senden in {time}',
  verify: 'Bestätigen',
  loading: 'Wird geladen…',
};
