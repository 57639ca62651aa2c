/**
 * The recovery codes (also the last step of enrollment).
 * English is the reference: every language has exactly its keys (the compiler checks).
 */
export const en = {
  recoveryTitle: 'Save your recovery codes',
  recoveryIntro: 'Each code signs you in once if you cannot get a text message. They will not be shown again.',
  copy: 'Copy all',
  copied: 'Codes copied to the clipboard.',
  copyFailed: 'Copying failed: select the codes and copy them.',
  download: 'Download .txt',
  print: 'Print',
  acknowledge: 'I have saved these codes',
  saved: 'Recovery codes saved.',
  fileTitle: '{brand} recovery codes',
  fileNote: 'Each code works once.',
};

export type RecoveryCodesMessages = typeof en;

/** Español */
export const es: RecoveryCodesMessages = {
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

/** Français */
export const fr: RecoveryCodesMessages = {
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

/** Deutsch */
export const de: RecoveryCodesMessages = {
  recoveryTitle: 'Speichern Sie Ihre Wiederherstellungscodes',
  recoveryIntro: 'Jeder Code ermöglicht eine Anmeldung ohne SMS. Die Codes werden nicht erneut angezeigt.',
  copy: 'Alle kopieren',
  copied: 'Codes in die Zwischenablage kopiert.',
  copyFailed: 'Kopieren fehlgeschlagen: Codes markieren und kopieren.',
  download: '.txt herunterladen',
  print: 'Drucken',
  acknowledge: 'Ich habe diese Codes gespeichert',
  saved: 'Wiederherstellungscodes gespeichert.',
  fileTitle: '{brand}-Wiederherstellungscodes',
  fileNote: 'Jeder Code gilt nur einmal.',
};
