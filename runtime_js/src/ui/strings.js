// Every string the widget shows, by language: one line per key of KEYS, in that order.
// English is built into widget.js and is the fallback; the other languages (LANGS) would
// not fit its 15 kB budget, so build.mjs writes them to i18n.json, which the widget fetches
// from the bundle only for a page in one of them. Site owners override title, greeting,
// placeholder and not_found through sitebot.toml or data-* attributes. `r_*` are the
// reasons an LLM answer failed.

import { pickStrings } from "../shared/strings.js";

const KEYS =
  "title subtitle launcher close greeting placeholder inputLabel send searching found notFound error conversation privacy aiNote writing stop stopLabel stopped sources source llmFailed r_timeout r_broken r_network r_upstream r_empty r_template newChat copy copied copyLabel prelim preparing".split(
    " ",
  );

export const EN = `Ask this site
Answers from this site's pages
Ask this site a question
Close
Hi! Ask me a question about this site.
Ask a question
Your question
Send
Searching…
Here's what I found:
I couldn't find that on this site.
Sorry, I can't search this site right now. Please try again later.
Conversation
What you type stays in your browser.
Answers are written by an AI from this site's pages. Check the sources.
Writing…
Stop
Stop the answer
(stopped)
Sources
Source
The AI answer is not available right now ({reason}).
no reply in time
the answer broke off
no connection
model error
empty answer
prompt error
New chat
Copy
Copied
Copy the answer
Quick keyword answer — improving…
Getting ready to answer…`;

export const LANGS = ["fr", "de", "es", "ar", "he"];

/** What build.mjs writes to i18n.json: {fr: "…\n…", …}, lines in KEYS order. */
export const TRANSLATIONS = {
  fr: `Posez votre question
Réponses tirées des pages de ce site
Poser une question à ce site
Fermer
Bonjour ! Posez-moi vos questions sur ce site.
Posez une question…
Votre question
Envoyer
Recherche…
Voici ce que j'ai trouvé :
Je n'ai pas trouvé cela sur ce site.
Désolé, la recherche est indisponible pour le moment. Réessayez plus tard.
Conversation
Ce que vous tapez reste dans votre navigateur.
Réponses rédigées par une IA à partir des pages de ce site. Vérifiez les sources.
Rédaction…
Arrêter
Arrêter la réponse
(arrêté)
Sources
Source
La réponse de l'IA est indisponible pour le moment ({reason}).
pas de réponse à temps
la réponse s'est interrompue
pas de connexion
erreur du modèle
réponse vide
erreur de prompt
Nouvelle conversation
Copier
Copié
Copier la réponse
Réponse rapide par mots-clés — amélioration…
Préparation de la réponse…`,
  de: `Fragen Sie diese Website
Antworten aus den Seiten dieser Website
Dieser Website eine Frage stellen
Schließen
Hallo! Fragen Sie mich alles über diese Website.
Stellen Sie eine Frage…
Ihre Frage
Senden
Suche…
Das habe ich gefunden:
Dazu habe ich auf dieser Website nichts gefunden.
Die Suche ist gerade nicht verfügbar. Bitte versuchen Sie es später erneut.
Unterhaltung
Was Sie eingeben, bleibt in Ihrem Browser.
Antworten werden von einer KI aus den Seiten dieser Website verfasst. Prüfen Sie die Quellen.
Schreibt…
Stopp
Antwort anhalten
(angehalten)
Quellen
Quelle
Die KI-Antwort ist gerade nicht verfügbar ({reason}).
keine Antwort in der Zeit
Antwort abgebrochen
keine Verbindung
Modellfehler
leere Antwort
Prompt-Fehler
Neuer Chat
Kopieren
Kopiert
Antwort kopieren
Schnelle Antwort nach Stichwörtern – wird verbessert…
Antwort wird vorbereitet…`,
  es: `Pregunte a este sitio
Respuestas de las páginas de este sitio
Hacer una pregunta a este sitio
Cerrar
¡Hola! Pregúnteme lo que quiera sobre este sitio.
Haga una pregunta…
Su pregunta
Enviar
Buscando…
Esto es lo que encontré:
No encontré eso en este sitio.
Lo siento, ahora no puedo buscar en este sitio. Inténtelo más tarde.
Conversación
Lo que escribe se queda en su navegador.
Las respuestas las escribe una IA a partir de las páginas de este sitio. Compruebe las fuentes.
Escribiendo…
Detener
Detener la respuesta
(detenida)
Fuentes
Fuente
La respuesta de la IA no está disponible ahora ({reason}).
sin respuesta a tiempo
la respuesta se interrumpió
sin conexión
error del modelo
respuesta vacía
error de la plantilla
Nueva conversación
Copiar
Copiado
Copiar la respuesta
Respuesta rápida por palabras clave — mejorando…
Preparando la respuesta…`,
  ar: `اسأل هذا الموقع
إجابات من صفحات هذا الموقع
اطرح سؤالاً على هذا الموقع
إغلاق
مرحباً! اسألني أي شيء عن هذا الموقع.
اطرح سؤالاً…
سؤالك
إرسال
جارٍ البحث…
إليك ما وجدته:
لم أجد ذلك في هذا الموقع.
عذراً، لا يمكنني البحث في هذا الموقع الآن. حاول مرة أخرى لاحقاً.
المحادثة
ما تكتبه يبقى في متصفحك.
يكتب الإجابات ذكاء اصطناعي من صفحات هذا الموقع. تحقق من المصادر.
جارٍ الكتابة…
إيقاف
إيقاف الإجابة
(تم الإيقاف)
المصادر
المصدر
إجابة الذكاء الاصطناعي غير متاحة الآن ({reason}).
لا رد في الوقت المحدد
انقطعت الإجابة
لا يوجد اتصال
خطأ في النموذج
إجابة فارغة
خطأ في القالب
محادثة جديدة
نسخ
تم النسخ
نسخ الإجابة
إجابة سريعة بالكلمات المفتاحية — جارٍ التحسين…
جارٍ التحضير للإجابة…`,
  he: `שאלו את האתר
תשובות מדפי האתר
שאלו שאלה את האתר
סגירה
שלום! שאלו אותי כל דבר על האתר.
שאלו שאלה…
השאלה שלך
שליחה
מחפש…
הנה מה שמצאתי:
לא מצאתי את זה באתר.
מצטערים, אי אפשר לחפש באתר כרגע. נסו שוב מאוחר יותר.
שיחה
מה שאתם מקלידים נשאר בדפדפן שלכם.
התשובות נכתבות על ידי בינה מלאכותית מדפי האתר. בדקו את המקורות.
כותב…
עצירה
עצירת התשובה
(נעצר)
מקורות
מקור
תשובת הבינה המלאכותית אינה זמינה כרגע ({reason}).
אין תשובה בזמן
התשובה נקטעה
אין חיבור
שגיאת מודל
תשובה ריקה
שגיאת תבנית
שיחה חדשה
העתקה
הועתק
העתקת התשובה
תשובה מהירה לפי מילות מפתח — משפרים…
מתכוננים לענות…`,
};

/**
 * The UI strings in language `tag`, plus `rtl`; `tables` is i18n.json as fetched
 * ({lang: lines}), English when it is missing or lacks the language.
 */
export function makeStrings(tag, tables) {
  return { rtl: /^(ar|he|fa|ur)$/.test(tag), ...pickStrings(KEYS, EN, tables, tag) };
}
