// The support part's UI strings, every language in this file (support.js is loaded only by
// bots with handoff, leads, feedback or scope rules, so it has no size budget to share).
// One line per key of KEYS; a missing language falls back to English. The owner's own
// texts (handoff.label, scope.message, lead.title …) win over these.

import { pickStrings } from "../shared/strings.js";

const KEYS =
  "talk handoff notFoundOffer offline scope email sendChat contact leadTitle leadIntro name email_f phone company message consent privacy send sending sent failed retry mailInstead required badEmail mustConsent cancel helpful notHelpful thanks sorry you leave".split(
    " ",
  );

const T = {
  en: `Talk to a person
Sure, here is how to reach a person on our team:
Would you like to ask a person instead?
Our team is away right now. Leave a message and we will get back to you.
I can't help with that here: it needs advice from a qualified person.
Email us
Send this chat to our team
Contact us
Leave your details and we will get back to you.
We only use them to answer you.
Name
Email
Phone
Company
Message
I agree to be contacted about my request.
Privacy policy
Send
Sending…
Thanks! We will be in touch.
Could not send ({reason}). What you typed is still here.
Try again
Email instead
Please fill in: {field}.
Please enter a valid email address.
Please tick the box to agree.
Cancel
Helpful
Not helpful
Thanks for your feedback.
Sorry about that.
You
Leave your details`,
  fr: `Parler à une personne
Bien sûr, voici comment joindre une personne de notre équipe :
Voulez-vous poser la question à une personne ?
Notre équipe est absente pour le moment. Laissez un message et nous vous répondrons.
Je ne peux pas vous aider sur ce sujet : il demande l'avis d'un professionnel qualifié.
Nous écrire
Envoyer cette conversation à notre équipe
Nous contacter
Laissez vos coordonnées et nous vous recontacterons.
Nous les utilisons uniquement pour vous répondre.
Nom
E-mail
Téléphone
Entreprise
Message
J'accepte d'être contacté au sujet de ma demande.
Politique de confidentialité
Envoyer
Envoi…
Merci ! Nous vous recontacterons.
Envoi impossible ({reason}). Ce que vous avez saisi est conservé.
Réessayer
Envoyer par e-mail
Veuillez remplir : {field}.
Veuillez saisir une adresse e-mail valide.
Veuillez cocher la case pour accepter.
Annuler
Utile
Pas utile
Merci pour votre avis.
Désolé.
Vous
Laisser mes coordonnées`,
  de: `Mit einem Menschen sprechen
Gern, so erreichen Sie eine Person aus unserem Team:
Möchten Sie stattdessen eine Person fragen?
Unser Team ist gerade nicht erreichbar. Hinterlassen Sie eine Nachricht, wir melden uns.
Dabei kann ich hier nicht helfen: Dafür braucht es den Rat einer qualifizierten Person.
E-Mail schreiben
Diesen Chat an unser Team senden
Kontakt
Hinterlassen Sie Ihre Daten, wir melden uns bei Ihnen.
Wir verwenden sie nur, um Ihnen zu antworten.
Name
E-Mail
Telefon
Firma
Nachricht
Ich bin einverstanden, zu meiner Anfrage kontaktiert zu werden.
Datenschutzerklärung
Senden
Wird gesendet…
Danke! Wir melden uns.
Senden fehlgeschlagen ({reason}). Ihre Eingaben sind noch da.
Erneut versuchen
Per E-Mail senden
Bitte ausfüllen: {field}.
Bitte geben Sie eine gültige E-Mail-Adresse ein.
Bitte setzen Sie das Häkchen zur Zustimmung.
Abbrechen
Hilfreich
Nicht hilfreich
Danke für Ihr Feedback.
Das tut mir leid.
Sie
Kontaktdaten hinterlassen`,
  es: `Hablar con una persona
Claro, así puede contactar con una persona de nuestro equipo:
¿Prefiere preguntar a una persona?
Nuestro equipo no está disponible ahora. Deje un mensaje y le responderemos.
No puedo ayudarle con eso aquí: requiere el consejo de un profesional cualificado.
Escríbanos
Enviar esta conversación a nuestro equipo
Contacto
Déjenos sus datos y le contactaremos.
Solo los usamos para responderle.
Nombre
Correo electrónico
Teléfono
Empresa
Mensaje
Acepto que me contacten sobre mi consulta.
Política de privacidad
Enviar
Enviando…
¡Gracias! Nos pondremos en contacto.
No se pudo enviar ({reason}). Lo que escribió sigue aquí.
Reintentar
Enviar por correo
Complete: {field}.
Introduzca un correo electrónico válido.
Marque la casilla para aceptar.
Cancelar
Útil
No útil
Gracias por su opinión.
Lo siento.
Usted
Dejar mis datos`,
  ar: `التحدث إلى شخص
بالتأكيد، هكذا يمكنك الوصول إلى أحد أعضاء فريقنا:
هل تريد أن تسأل شخصًا بدلًا من ذلك؟
فريقنا غير متاح الآن. اترك رسالة وسنرد عليك.
لا أستطيع المساعدة في ذلك هنا: الأمر يحتاج إلى نصيحة شخص مختص.
راسلنا بالبريد
أرسل هذه المحادثة إلى فريقنا
اتصل بنا
اترك بياناتك وسنتواصل معك.
نستخدمها فقط للرد عليك.
الاسم
البريد الإلكتروني
الهاتف
الشركة
الرسالة
أوافق على التواصل معي بخصوص طلبي.
سياسة الخصوصية
إرسال
جارٍ الإرسال…
شكرًا! سنتواصل معك.
تعذّر الإرسال ({reason}). ما كتبته ما زال هنا.
أعد المحاولة
أرسل بالبريد بدلًا من ذلك
يرجى تعبئة: {field}.
يرجى إدخال بريد إلكتروني صالح.
يرجى تحديد المربع للموافقة.
إلغاء
مفيد
غير مفيد
شكرًا على رأيك.
نأسف لذلك.
أنت
اترك بياناتك`,
  he: `לדבר עם אדם
בטח, כך אפשר להגיע לאדם מהצוות שלנו:
רוצים לשאול אדם במקום?
הצוות שלנו לא זמין כרגע. השאירו הודעה ונחזור אליכם.
לא אוכל לעזור בזה כאן: זה דורש ייעוץ של איש מקצוע מוסמך.
שלחו לנו מייל
שליחת השיחה לצוות שלנו
צרו קשר
השאירו פרטים ונחזור אליכם.
נשתמש בהם רק כדי לענות לכם.
שם
אימייל
טלפון
חברה
הודעה
אני מסכים/ה שיפנו אליי בנוגע לפנייה.
מדיניות פרטיות
שליחה
שולח…
תודה! ניצור קשר.
השליחה נכשלה ({reason}). מה שהקלדתם עדיין כאן.
נסו שוב
שליחה במייל
נא למלא: {field}.
נא להזין כתובת אימייל תקינה.
נא לסמן את התיבה לאישור.
ביטול
מועיל
לא מועיל
תודה על המשוב.
מצטערים על כך.
את/ה
השארת פרטים`,
};

/** The strings in language `tag` (primary subtag), English for the rest. */
export const supportStrings = (tag) => pickStrings(KEYS, T.en, T, tag);

export const SUPPORT_LANGS = Object.keys(T);
