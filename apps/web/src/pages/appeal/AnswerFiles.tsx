import { Anchor, Button, Group, Stack, Text } from '@mantine/core';
import { useQueryClient } from '@tanstack/react-query';
import { useState } from 'react';
import { call, errorText, send } from '../../api/client';
import { type Answer, type Me } from '../../api/types';
import { ClipIcon } from '../../components/icons';
import { save } from '../../lib/download';
import { AttachFiles } from './AttachmentsPanel';

/** Who may attach to a draft, as the api decides it: its author, a head of its organisation, a supervisor. */
export function mayAttach(answer: Answer, me: Me): boolean {
  return (
    answer.status === 'draft' &&
    (answer.authorId === me.id ||
      me.role === 'supervisor' ||
      (me.role === 'head' && answer.organisationId === me.organisationId))
  );
}

function size(bytes: number): string {
  return bytes < 1048576
    ? `${Math.max(1, Math.round(bytes / 1024))} КБ`
    : `${(bytes / 1048576).toFixed(1).replace('.', ',')} МБ`;
}

/**
 * An answer's files, each downloadable; a draft takes more from whoever may change it. `notice`: the appeal's
 * channel does not carry files (OK), said where they are attached and until the answer is sent.
 */
export function AnswerFiles({
  appealId,
  answer,
  me,
  notice,
  readOnly = false,
}: {
  appealId: string;
  answer: Answer;
  me: Me;
  notice?: string | null;
  /** The card is read-only to the viewer (their organisation returned its part): files are only downloaded. */
  readOnly?: boolean;
}) {
  const queryClient = useQueryClient();
  const [removing, setRemoving] = useState<string | undefined>();
  const [errors, setErrors] = useState<string[]>([]);
  const canAttach = !readOnly && mayAttach(answer, me);
  if (!answer.attachments.length && !canAttach) return null;

  async function download(file: Answer['attachments'][number]) {
    try {
      const res = await send('answerFile', {
        params: { id: appealId, answerId: answer.id, fileId: file.id },
      });
      save(await res.blob(), file.fileName);
    } catch (error) {
      setErrors([`«${file.fileName}»: ${errorText(error)}`]);
    }
  }

  async function detach(file: Answer['attachments'][number]) {
    setRemoving(file.id);
    try {
      await call('detachFromAnswer', { params: { id: appealId, answerId: answer.id, fileId: file.id } });
      setErrors([]);
    } catch (error) {
      setErrors([`«${file.fileName}»: ${errorText(error)}`]);
    }
    setRemoving(undefined);
    await queryClient.invalidateQueries({ queryKey: ['answers', appealId] });
    await queryClient.invalidateQueries({ queryKey: ['appeal', appealId] });
  }

  return (
    <Stack gap={4} mt={6} data-testid="answer-files">
      {answer.attachments.map((f) => (
        <Group key={f.id} gap={6} wrap="nowrap" data-testid="answer-file">
          <ClipIcon />
          <Anchor
            size="sm"
            component="button"
            type="button"
            onClick={() => void download(f)}
            title={`Скачать «${f.fileName}»`}
          >
            {f.fileName}
          </Anchor>
          <Text size="xs" c="dimmed">
            {size(f.size)}
          </Text>
          {canAttach && (
            <Button
              size="compact-xs"
              variant="subtle"
              color="red.9"
              loading={removing === f.id}
              onClick={() => void detach(f)}
              aria-label={`Убрать файл «${f.fileName}» из проекта`}
            >
              Убрать
            </Button>
          )}
        </Group>
      ))}
      {notice && answer.status !== 'sent' && (
        <Text size="xs" c="orange.9" data-testid="answer-files-notice">
          {notice}
        </Text>
      )}
      {canAttach && (
        <AttachFiles
          compact
          label="Приложить файлы"
          upload={(form) => call('attachToAnswer', { params: { id: appealId, answerId: answer.id }, form })}
          refresh={() => queryClient.invalidateQueries({ queryKey: ['answers', appealId] })}
        />
      )}
      {errors.map((e) => (
        <Text key={e} size="xs" c="red.9" role="alert">
          {e}
        </Text>
      ))}
    </Stack>
  );
}
